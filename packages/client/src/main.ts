// runMain: the shared shape of every process's main (root logger, start, drain on signals).
import type { Logger } from "@skiff/log";

/**
 * Builds the root logger, runs `start`, and on SIGINT/SIGTERM calls the stop function it
 * returned, then exits. Start failures exit 1 with the error logged. Only this exits.
 */
export function runMain(service: string, start: (log: Logger) => Promise<() => Promise<void>>, makeLogger: (o: { service: string }) => Logger): void {
  const log = makeLogger({ service });
  let stopping = false;
  start(log).then(
    (stop) => {
      const onSignal = (sig: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal: sig }, "stopping");
        const hard = setTimeout(() => process.exit(1), 10_000);
        stop().then(
          () => {
            clearTimeout(hard);
            process.exit(0);
          },
          (err) => {
            log.error({ err }, "stop failed");
            process.exit(1);
          },
        );
      };
      process.on("SIGINT", () => onSignal("SIGINT"));
      process.on("SIGTERM", () => onSignal("SIGTERM"));
    },
    (err) => {
      log.fatal({ err }, `${service} failed to start`);
      process.exit(1);
    },
  );
  process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));
}
