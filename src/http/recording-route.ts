/**
 * Recording download with byte ranges (RFC 9110 §14): `Accept-Ranges: bytes`, 206 with
 * `Content-Range` for one satisfiable range, 416 with `Content-Range: bytes *\/size` otherwise,
 * 200 with the whole file when there is no (usable) Range header. Only files inside the configured
 * recordings folder are ever served, whatever path the store holds.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve, sep } from "node:path";
import type { FastifyReply } from "fastify";
import { HttpError } from "./http-error.js";
import { parseRangeHeader } from "./range-header.js";

/** The absolute path of `recordingPath` if it lies inside `recordingsDir`, else undefined. */
export function containedPath(recordingsDir: string, recordingPath: string): string | undefined {
  const root = resolve(recordingsDir);
  const full = resolve(recordingPath);
  return full.startsWith(root + sep) ? full : undefined;
}

export async function sendRecording(
  reply: FastifyReply,
  path: string,
  fileName: string,
  rangeHeader: string | undefined,
): Promise<FastifyReply> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw HttpError.notFound("the recording file is missing", "recording_missing");
    size = info.size;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw HttpError.notFound("the recording file is missing", "recording_missing");
  }
  const range = parseRangeHeader(rangeHeader, size);
  if (range.kind === "unsatisfiable") {
    throw new HttpError(
      416,
      "range_not_satisfiable",
      `the requested range is outside the ${size}-byte recording`,
      {
        headers: { "content-range": `bytes */${size}`, "accept-ranges": "bytes" },
      },
    );
  }
  reply
    .header("accept-ranges", "bytes")
    .header("content-type", "audio/wav")
    .header("content-disposition", `inline; filename="${fileName}"`);
  if (range.kind === "none") {
    reply.header("content-length", size);
    return size === 0
      ? reply.send(Buffer.alloc(0))
      : reply.send(createReadStream(path, { start: 0, end: size - 1 }));
  }
  return reply
    .code(206)
    .header("content-range", `bytes ${range.start}-${range.end}/${size}`)
    .header("content-length", range.end - range.start + 1)
    .send(createReadStream(path, { start: range.start, end: range.end }));
}
