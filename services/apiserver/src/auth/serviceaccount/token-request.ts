// The `token` subresource of ServiceAccounts (TokenRequest, `kubectl create token`): a token for
// the account, for the audiences asked (default: the API server), valid for the seconds asked
// (default 1 hour, at least 10 minutes, at most 48 hours), optionally bound to a pod.
import { BadRequestError, InvalidError, NotFoundError, field, nowRfc3339, type KObject, type TokenRequest } from "@skiff/api";
import { ISSUER, type TokenSigner } from "./jwt.js";

const MIN_SECONDS = 600;
const MAX_SECONDS = 48 * 3600;

/** Answers one TokenRequest for `sa`; `getPod` resolves a boundObjectRef of kind Pod. */
export async function requestToken(
  signer: TokenSigner,
  sa: KObject,
  req: TokenRequest,
  getPod: (name: string) => Promise<KObject | undefined>,
): Promise<TokenRequest> {
  const spec = req.spec ?? {};
  const seconds = spec.expirationSeconds ?? 3600;
  if (!Number.isInteger(seconds) || seconds < MIN_SECONDS)
    throw new InvalidError("TokenRequest", sa.metadata.name ?? "", [
      field.invalid("spec.expirationSeconds", seconds, `may not specify a duration less than ${MIN_SECONDS} seconds`),
    ]);
  const audiences = spec.audiences?.length ? spec.audiences : [ISSUER];
  let pod: { name: string; uid: string } | undefined;
  const ref = spec.boundObjectRef;
  if (ref) {
    if (ref.kind !== "Pod") throw new BadRequestError(`spec.boundObjectRef.kind: Unsupported value: ${JSON.stringify(ref.kind)}: supported values: "Pod"`);
    const p = await getPod(ref.name ?? "");
    if (!p) throw new NotFoundError("pods", ref.name ?? "");
    if (ref.uid && ref.uid !== p.metadata.uid)
      throw new BadRequestError(
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record (${p.metadata.uid}): the object might have been deleted and then recreated`,
      );
    pod = { name: p.metadata.name!, uid: p.metadata.uid! };
  }
  const { token, claims } = signer.issue({
    namespace: sa.metadata.namespace!,
    name: sa.metadata.name!,
    uid: sa.metadata.uid!,
    audiences,
    seconds: Math.min(seconds, MAX_SECONDS),
    pod,
  });
  return {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    metadata: { name: sa.metadata.name, namespace: sa.metadata.namespace, creationTimestamp: nowRfc3339() },
    spec: { ...spec, audiences, expirationSeconds: claims.exp - claims.iat },
    status: { token, expirationTimestamp: nowRfc3339(new Date(claims.exp * 1000)) },
  };
}
