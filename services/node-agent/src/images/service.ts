// The NodeService's image calls (ImageStatus, LoadImage): `skiff image load` on machines it
// cannot `docker exec` into (VMs) streams a `docker save` archive through them into the node's
// engine. They sit in the same service as logs/exec, so they take the same credentials.
import { PassThrough } from "node:stream";
import type { Metadata, ServerReadableStream, ServerUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import { BadRequestError } from "@skiff/api";
import type { nodev1 } from "@skiff/proto";
import type { ImageRuntime } from "./runtime.js";

export interface ImageHandlerDeps {
  images: ImageRuntime;
  /** Throws when the caller may not use the NodeService (the service's own check). */
  authorize: (md: Metadata) => void;
  /** Maps an error to the call's status, once (the service's own mapping). */
  fail: (call: { emit?: (ev: string, e: unknown) => boolean }, cb: ((e: unknown) => void) | undefined, err: unknown, method: string) => void;
  /** After a load: the node's image list changed. */
  onLoaded?: () => void;
}

async function infoOf(images: ImageRuntime, names: string[]): Promise<nodev1.ImageInfo[]> {
  return Promise.all(
    names.map(async (name) => {
      const i = await images.inspect(name);
      return { name, present: !!i, id: i?.id ?? "", sizeBytes: i?.sizeBytes ?? 0 };
    }),
  );
}

/** ImageStatus and LoadImage handlers, merged into the NodeService implementation. */
export function imageHandlers(d: ImageHandlerDeps) {
  return {
    imageStatus(call: ServerUnaryCall<nodev1.ImageStatusRequest, nodev1.ImageStatusResponse>, cb: sendUnaryData<nodev1.ImageStatusResponse>) {
      void (async () => {
        d.authorize(call.metadata);
        cb(null, { images: await infoOf(d.images, call.request.names) });
      })().catch((err) => d.fail(call, cb as (e: unknown) => void, err, "ImageStatus"));
    },

    loadImage(call: ServerReadableStream<nodev1.LoadImageRequest, nodev1.LoadImageResponse>, cb: sendUnaryData<nodev1.LoadImageResponse>) {
      let tar: PassThrough | undefined;
      let names: string[] = [];
      let received = 0;
      let loading: Promise<string> | undefined;
      let failed = false;
      const fail = (err: unknown) => {
        if (failed) return;
        failed = true;
        tar?.destroy();
        d.fail(call, cb as (e: unknown) => void, err, "LoadImage");
      };
      try {
        d.authorize(call.metadata);
      } catch (err) {
        fail(err);
        return;
      }
      call.on("data", (f: nodev1.LoadImageRequest) => {
        if (failed) return;
        if (f.start) {
          if (tar) return fail(new BadRequestError("LoadImage: start sent twice"));
          names = f.start.names;
          tar = new PassThrough({ highWaterMark: 4 * 1024 * 1024 });
          loading = d.images.load(tar);
          loading.catch(fail);
          return;
        }
        if (!tar) return fail(new BadRequestError("LoadImage: the first frame must be start"));
        if (f.data) {
          received += f.data.length;
          // Back-pressure: stop reading from the caller while the engine catches up.
          if (!tar.write(f.data)) {
            call.pause();
            tar.once("drain", () => call.resume());
          }
        }
      });
      call.on("end", () => {
        if (failed) return;
        if (!tar || !loading) return fail(new BadRequestError("LoadImage: no start frame"));
        tar.end();
        void (async () => {
          const message = await loading!;
          d.onLoaded?.();
          cb(null, { message, images: await infoOf(d.images, names), bytesReceived: received });
        })().catch(fail);
      });
      // The caller went away mid-stream: the engine sees a truncated archive and loads nothing.
      call.on("error", () => tar?.destroy());
      call.on("cancelled", () => {
        failed = true;
        tar?.destroy();
      });
    },
  };
}
