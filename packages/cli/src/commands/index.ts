// Every `skiff` subcommand, one file each; this list is what `skiff help` shows, in order.
import type { Command } from "../cli/context.js";
import { applyCommand } from "./apply.js";
import { chaosCommand } from "./chaos/index.js";
import { imageCommand } from "./image.js";
import { controlplaneCommand, nodeCommand } from "./machine.js";
import { createCommand } from "./create.js";
import { deleteCommand } from "./delete.js";
import { describeCommand } from "./describe.js";
import { downCommand } from "./down.js";
import { getCommand } from "./get.js";
import { execCommand } from "./exec.js";
import { logsCommand } from "./logs.js";
import { statusCommand } from "./status.js";
import { upCommand } from "./up.js";
import { versionCommand } from "./version.js";
import { tokenCommand } from "./token.js";
import { pkiCommand } from "./pki.js";
import { dashboardCommand } from "./dashboard.js";
import { kubeconfigCommand } from "./kubeconfig.js";

/** All commands, in help order. */
export const commands: Command[] = [
  getCommand,
  describeCommand,
  applyCommand,
  createCommand,
  deleteCommand,
  logsCommand,
  execCommand,
  upCommand,
  downCommand,
  statusCommand,
  versionCommand,
  imageCommand,
  chaosCommand,
  controlplaneCommand,
  nodeCommand,
  tokenCommand,
  pkiCommand,
  kubeconfigCommand,
  dashboardCommand,
];
