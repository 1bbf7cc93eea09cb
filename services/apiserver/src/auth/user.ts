// Who made a request, as every front and admission plugin sees it (Kubernetes' user.Info).

/** An authenticated user: a name and its groups. */
export interface UserInfo {
  name: string;
  groups: string[];
}
