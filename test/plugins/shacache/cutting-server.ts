/**
 * A deliberately bad shacache front for tests, on raw TCP (Bun.serve would
 * turn a broken stream into a clean chunked answer): it serves blobs from a
 * content directory with `Content-Length` and `Accept-Ranges: bytes`, and
 * for its first `cuts` answers closes the connection after `cutAfter` body
 * bytes. It records every request's Range header.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";

export interface CuttingServer {
  url: string;
  /** The Range header of each request ("" when none). */
  ranges: string[];
  stop(): Promise<void>;
}

export interface CuttingOptions {
  contentDirectory: string;
  cutAfter: number;
  cuts: number;
  /** Answer ranged requests with the whole blob and 200, as a server without range support does. */
  ignoreRanges?: boolean;
  /** Announce no ranges: the client must not try to resume. */
  noAcceptRanges?: boolean;
}

export function startCuttingServer(options: CuttingOptions): Promise<CuttingServer> {
  const ranges: string[] = [];
  let answered = 0;
  const server: Server = createServer((socket) => {
    let head = "";
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      const path = head.split(" ")[1] ?? "/";
      const range = /\r\nrange: *bytes=(\d+)-/i.exec(head);
      ranges.push(range ? `bytes=${range[1]}-` : "");
      let blob: Buffer;
      try {
        blob = readFileSync(join(options.contentDirectory, path.split("/").pop()!));
      } catch {
        socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
      }
      const start = range && !options.ignoreRanges ? Number(range[1]) : 0;
      const body = blob.subarray(start);
      const status = start ? "206 Partial Content" : "200 OK";
      const headers = [
        `HTTP/1.1 ${status}`,
        `Content-Length: ${body.length}`,
        ...(options.noAcceptRanges ? [] : ["Accept-Ranges: bytes"]),
        ...(start ? [`Content-Range: bytes ${start}-${blob.length - 1}/${blob.length}`] : []),
        "Connection: close",
        "",
        "",
      ].join("\r\n");
      const cut = answered++ < options.cuts;
      socket.write(headers);
      if (cut) socket.write(body.subarray(0, options.cutAfter), () => setTimeout(() => socket.destroy(), 20));
      else socket.end(body);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}`, ranges, stop: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
