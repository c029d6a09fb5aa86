/**
 * `GET /logtail/<name>/<channel>` and `GET /mainlogtail`: a chunked HTTP
 * response that follows a log file, which `supervisorctl tail -f` and
 * `maintail -f` read. The last 1024 bytes first, then what gets appended;
 * a rotated file is reopened, a truncated one announced. Follows the file
 * with inotify (fs.watch), not by polling; the watch ends when the client
 * goes away.
 */
import { closeSync, fstatSync, openSync, readSync, statSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

const HEAD = 1024;

export function followFile(path: string): ReadableStream<Uint8Array> {
  let fd = openSync(path, "r");
  let inode = fstatSync(fd).ino;
  let position = Math.max(0, fstatSync(fd).size - HEAD);
  let watcher: FSWatcher | undefined;
  let controller!: ReadableStreamDefaultController<Uint8Array>;

  const readNew = () => {
    try {
      try {
        const st = statSync(path);
        if (st.ino !== inode) {
          closeSync(fd);
          fd = openSync(path, "r");
          inode = fstatSync(fd).ino;
          position = 0;
        }
      } catch {
        // unlinked: keep reading the open file
      }
      const size = fstatSync(fd).size;
      if (size < position) {
        position = 0;
        controller.enqueue(new TextEncoder().encode("==> File truncated <==\n"));
      }
      while (position < size) {
        const buffer = Buffer.alloc(Math.min(65536, size - position));
        const n = readSync(fd, buffer, 0, buffer.length, position);
        if (n <= 0) break;
        position += n;
        controller.enqueue(buffer.subarray(0, n));
      }
    } catch {
      stop();
      try {
        controller.close();
      } catch {
        // already closed
      }
    }
  };

  const stop = () => {
    watcher?.close();
    watcher = undefined;
    try {
      closeSync(fd);
    } catch {
      // closed
    }
  };

  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      readNew();
      // Watch the directory: it sees writes, and the file being replaced by a rotation.
      const name = basename(path);
      watcher = watch(dirname(path), (_event, file) => {
        if (!file || file === name || String(file).startsWith(`${name}.`)) readNew();
      });
    },
    cancel() {
      stop();
    },
  });
}
