/** The networkcache client against real servers on loopback: downloads (resume, checks, limits), uploads, auth, TLS. */
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { SlapError } from "../../../core/errors.ts";
import { NetworkcacheClient } from "../../../plugins/shacache/client.ts";
import { pythonJsonDumps } from "../../../plugins/shacache/python-json.ts";
import { makeCerts } from "../../helpers/certs.ts";
import { startCuttingServer } from "./cutting-server.ts";
import { certificateList, makeSigner, startServer, tempDir } from "./fixture.ts";

const dir = tempDir();
const alice = makeSigner(dir, "alice");
const requests: string[] = [];
let failPosts = 0;
const server = startServer(join(dir, "server"), {
  extend(app) {
    app.use("*", async (c, next) => {
      requests.push(`${c.req.method} ${new URL(c.req.url).pathname}`);
      if (c.req.method === "POST" && failPosts > 0) {
        failPosts--;
        return c.text("try later", 500);
      }
      await next();
    });
    // A cache that streams without Content-Length (chunked).
    app.get("/chunked/:sha512", (c) => new Response(Bun.file(join(dir, "server", "data", c.req.param("sha512"))).stream()));
    // A shadir whose only entry is the Authorization header it received.
    app.get("/auth/:key", (c) => c.json([[c.req.header("authorization") ?? "", ""]]));
  },
});
afterAll(() => server.stop());

const sha512 = (data: Uint8Array | string) => createHash("sha512").update(data).digest("hex");
const blob = new Uint8Array(2_000_000).map((_, i) => (i * 7919) % 251);
const blobSha = sha512(blob);
let downloads = 0;
const destination = () => join(dir, `download-${downloads++}`);

function client(extra: ConstructorParameters<typeof NetworkcacheClient>[0] = {}): NetworkcacheClient {
  return new NetworkcacheClient({
    downloadCacheUrl: server.cacheUrl,
    downloadDirUrl: server.dirUrl,
    uploadCacheUrl: server.cacheUrl,
    uploadDirUrl: server.dirUrl,
    signatureCertificateList: alice.pem,
    ...extra,
  });
}

/** No leftover partial file next to a refused download. */
function leftovers(): string[] {
  return readdirSync(dir).filter((name) => name.includes(".part-"));
}

writeFileSync(join(dir, "blob"), blob);
const uploaded = client().upload(join(dir, "blob"));

describe("download", () => {
  test("resumes with Range after the server cuts the connection mid-body, twice", async () => {
    expect(await uploaded).toBe(blobSha);
    const front = await startCuttingServer({ contentDirectory: join(dir, "server", "data"), cutAfter: 500_000, cuts: 2 });
    try {
      const got = await client({ downloadCacheUrl: front.url }).download(blobSha, destination());
      expect(got.resumes).toBe(2);
      expect(front.ranges).toEqual(["", "bytes=500000-", "bytes=1000000-"]);
      expect(sha512(readFileSync(got.path))).toBe(blobSha);
    } finally {
      await front.stop();
    }
  });

  test("a server that answers a range with the whole blob is read again from the start", async () => {
    await uploaded;
    const front = await startCuttingServer({ contentDirectory: join(dir, "server", "data"), cutAfter: 700_000, cuts: 1, ignoreRanges: true });
    try {
      const got = await client({ downloadCacheUrl: front.url }).download(blobSha, destination());
      expect(front.ranges).toEqual(["", "bytes=700000-"]);
      expect(got.size).toBe(blob.length);
      expect(sha512(readFileSync(got.path))).toBe(blobSha);
    } finally {
      await front.stop();
    }
  });

  test("without Accept-Ranges a cut download fails and leaves nothing", async () => {
    await uploaded;
    const front = await startCuttingServer({ contentDirectory: join(dir, "server", "data"), cutAfter: 100_000, cuts: 5, noAcceptRanges: true });
    try {
      const path = destination();
      await expect(client({ downloadCacheUrl: front.url }).download(blobSha, path)).rejects.toThrow(/broke|closed after/);
      expect(front.ranges).toEqual([""]);
      expect(existsSync(path)).toBe(false);
      expect(leftovers()).toEqual([]);
    } finally {
      await front.stop();
    }
  });

  test("content whose sha512 is not the one asked is deleted and refused", async () => {
    const claimed = sha512("what the entry promised");
    writeFileSync(join(dir, "server", "data", claimed), "something else entirely");
    const path = destination();
    const error = await client()
      .download(claimed, path)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlapError);
    expect((error as SlapError).message).toContain("invalid checksum");
    expect(existsSync(path)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  test("a blob over the size limit is refused from its Content-Length, and while streaming without one", async () => {
    await uploaded;
    const small = client({ maxDownloadBytes: 1_000_000 });
    const path = destination();
    await expect(small.download(blobSha, path)).rejects.toThrow("over the limit of 1000000 bytes");
    const chunked = client({ maxDownloadBytes: 1_000_000, downloadCacheUrl: `${server.url}/chunked` });
    await expect(chunked.download(blobSha, path)).rejects.toThrow("over the limit of 1000000 bytes");
    expect(existsSync(path)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  test("a server that stops answering is abandoned after the timeout", async () => {
    const silent = createServer((socket) => socket.on("error", () => {}));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const slow = client({ downloadDirUrl: `http://127.0.0.1:${port}/dir`, timeout: 1 });
      await expect(slow.selectGeneric("key")).rejects.toThrow("timed out after 1s");
    } finally {
      silent.close();
    }
  });

  test("a missing key is a 404 with code not-found", async () => {
    const error = await client()
      .selectGeneric("no-such-key")
      .catch((e: unknown) => e);
    expect((error as SlapError).code).toBe("not-found");
  });

  test("user:password in the URL becomes HTTP Basic auth, taken verbatim as Python does", async () => {
    const answer = await client({ downloadDirUrl: `http://user:p%40ss@127.0.0.1:${server.port}/auth` }).selectGeneric("key");
    expect(answer).toEqual([[`Basic ${Buffer.from("user:p%40ss").toString("base64")}`, ""]]);
  });
});

describe("upload", () => {
  test("the blob is sent once; the signed entry is Python's json.dumps with sha512 first", async () => {
    const file = join(dir, "release.tar.gz");
    writeFileSync(file, "pretend tarball");
    const signer = client({ signaturePrivateKeyFile: alice.key });
    requests.length = 0;
    const sha = await signer.upload(file, "upload-key", { software_url: "http://example.org/é.cfg", os: ["debian", "12", "bookworm"] });
    await signer.upload(file, "upload-key", { software_url: "http://example.org/é.cfg", os: ["debian", "12", "bookworm"] });
    expect(requests.filter((r) => r.startsWith("POST"))).toEqual(["POST /shacache/cache"]);
    const stored = JSON.parse(readFileSync(join(dir, "server", "dir", "upload-key"), "utf8")) as [string, string][];
    const entry = stored[0]![0];
    expect(entry).toBe(pythonJsonDumps({ sha512: sha, software_url: "http://example.org/é.cfg", os: ["debian", "12", "bookworm"] }));
    expect(entry).toStartWith(`{"sha512": "${sha}", "software_url": "http://example.org/\\u00e9.cfg"`);
    // openssl, not us, checks the signature.
    writeFileSync(join(dir, "entry"), entry);
    writeFileSync(join(dir, "signature"), Buffer.from(stored[0]![1], "base64"));
    Bun.spawnSync(["openssl", "x509", "-in", alice.cert, "-pubkey", "-noout", "-out", join(dir, "alice.pub")]);
    const check = Bun.spawnSync(["openssl", "dgst", "-sha1", "-verify", join(dir, "alice.pub"), "-signature", join(dir, "signature"), join(dir, "entry")]);
    expect(check.stdout.toString().trim()).toBe("Verified OK");
  });

  test("a refused POST is an error naming the status", async () => {
    const file = join(dir, "refused");
    writeFileSync(file, "refused content");
    failPosts = 1;
    await expect(client().upload(file)).rejects.toThrow("HTTP Error 500");
  });

  test("a private key without its certificate in the list is refused before anything is sent", () => {
    const mallory = makeSigner(dir, "mallory");
    expect(() => client({ signaturePrivateKeyFile: mallory.key })).toThrow("no matching certificate for private key");
  });
});

describe("https", () => {
  mkdirSync(join(dir, "tls"));
  const certs = makeCerts(join(dir, "tls"));
  const tlsServer = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: readFileSync(certs.serverCert, "utf8"), key: readFileSync(certs.serverKey, "utf8"), ca: readFileSync(certs.caCert, "utf8"), requestCert: true, rejectUnauthorized: true },
    fetch: () => new Response(`[[${JSON.stringify('{"sha512": "00"}')}, ""]]`),
  });
  afterAll(() => tlsServer.stop(true));
  const url = `https://127.0.0.1:${tlsServer.port}/dir`;

  test("a client certificate and a CA file reach a shadir that requires them", async () => {
    const tls = client({ downloadDirUrl: url, shadir: { caFile: certs.caCert, certFile: certs.clientCert, keyFile: certs.clientKey } });
    expect(await tls.selectGeneric("key")).toEqual([['{"sha512": "00"}', ""]]);
  });

  test("without the client certificate, or trusting another CA, the connection is refused", async () => {
    await expect(client({ downloadDirUrl: url, shadir: { caFile: certs.caCert } }).selectGeneric("key")).rejects.toThrow(SlapError);
    await expect(
      client({ downloadDirUrl: url, shadir: { caFile: certs.strangerCert, certFile: certs.clientCert, keyFile: certs.clientKey } }).selectGeneric("key"),
    ).rejects.toThrow(SlapError);
  });
});

test("certificate list text from slapos.cfg (indented) is what the client trusts", () => {
  expect(client({ signatureCertificateList: certificateList(alice) }).certificates).toHaveLength(1);
});
