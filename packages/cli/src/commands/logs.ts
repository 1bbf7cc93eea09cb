// skiff logs: not served yet (the apiserver → node agent log stream comes later).
import type { Command } from "../cli/context.js";
import { CliError } from "../cli/errors.js";

/** `skiff logs`. */
export const logsCommand: Command = {
  name: "logs",
  summary: "Print the logs for a container in a pod (not supported yet)",
  usage: "skiff logs POD [-c CONTAINER] [-f]",
  flags: {
    container: { type: "string", short: "c", description: "Print the logs of this container." },
    follow: { type: "boolean", short: "f", description: "Specify if the logs should be streamed." },
    previous: { type: "boolean", short: "p", description: "Print the logs for the previous instance of the container." },
    tail: { type: "string", description: "Lines of recent log file to display." },
  },
  async run() {
    throw new CliError("skiff logs is not supported yet; for now use `docker logs` on the node (containers are labelled io.kubernetes.pod.name=POD)");
  },
};
