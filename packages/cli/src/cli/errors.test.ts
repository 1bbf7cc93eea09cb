import { describe, it, expect } from "vitest";
import { ApiError, ConflictError, InvalidError, NotFoundError, UnavailableError, field } from "@skiff/api";
import { UsageError } from "./args.js";
import { CliError, formatError, withSource } from "./errors.js";

describe("formatError", () => {
  it("prints server errors with their reason", () => {
    expect(formatError(new NotFoundError("pods", "x"))).toBe('Error from server (NotFound): pods "x" not found\n');
    expect(formatError(new ConflictError("pods", "x"))).toMatch(/^Error from server \(Conflict\): Operation cannot be fulfilled on pods "x"/);
  });

  it("prints a validation failure like kubectl, one cause inline and several as a list", () => {
    expect(formatError(new InvalidError("Pod", "p", [field.required("spec.containers[0].image")]))).toBe(
      'The Pod "p" is invalid: spec.containers[0].image: Required value\n',
    );
    expect(formatError(new InvalidError("Pod", "p", [field.required("spec.containers[0].image"), field.required("spec.containers[0].name")]))).toBe(
      'The Pod "p" is invalid: \n* spec.containers[0].image: Required value\n* spec.containers[0].name: Required value\n',
    );
  });

  it("keeps the validation format when the error names its file", () => {
    const err = withSource(new InvalidError("Pod", "p", [field.required("spec.containers")]), "creating", "pod.yaml");
    expect(formatError(err)).toBe('The Pod "p" is invalid: spec.containers: Required value\n');
    expect(formatError(withSource(new ApiError("AlreadyExists", 'pods "p" already exists'), "creating", "pod.yaml"))).toBe(
      'Error from server (AlreadyExists): error when creating "pod.yaml": pods "p" already exists\n',
    );
  });

  it("explains an unreachable apiserver with the address tried", () => {
    expect(formatError(new UnavailableError("apiserver unavailable: No connection established"), { server: "127.0.0.1:6444" })).toBe(
      "The connection to the server 127.0.0.1:6444 was refused - did you specify the right host or port?\n",
    );
    expect(formatError(new UnavailableError("store unavailable"))).toBe("Error from server (ServiceUnavailable): store unavailable\n");
  });

  it("prints local failures as error: …", () => {
    expect(formatError(new UsageError("unknown flag: --nope"))).toBe("error: unknown flag: --nope\n");
    expect(formatError(new CliError('the server doesn\'t have a resource type "foos"'))).toBe('error: the server doesn\'t have a resource type "foos"\n');
    expect(formatError(new Error("boom"))).toBe("error: boom\n");
  });
});
