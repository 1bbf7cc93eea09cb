// Error predicates the chaos framework needs, duck-typed over the client's typed errors.

/** Whether err is a 409 Conflict from the apiserver. */
export function isConflict(err: unknown): boolean {
  return (err as { reason?: string } | undefined)?.reason === "Conflict";
}
