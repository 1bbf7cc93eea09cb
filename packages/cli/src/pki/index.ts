// pki/: the cluster PKI as the CLI handles it (control-plane directory, the CLI's own certificate).
export * from "./pki.js";
