/**
 * slapos.cookbook:check_url_available — writes the legacy promise script
 * `path`, a shell script (`dash_path`) asking curl (`curl_path`) for `url`
 * and failing unless it answers `http_code` (default 200; with
 * `check-secure` = 1 a 401 passes); curl's time limit is read from
 * `timeout-file-path` (default etc/promise_timeout), else 20 s. Byte for
 * byte upstream's template. When that shell or curl is not on this
 * machine, the recipe writes the native declaration
 * `etc/plugin/<name>.promise.json` instead (kind url: `url`, `http-code`,
 * the client certificate options; `check-secure` has no equivalent there).
 */
import { existsSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import type { RecipeFactory } from "../recipe-api.ts";
import { createFile } from "./util/files.ts";
import { declarationFor, writeDeclaration } from "./util/promise-declaration.ts";

function script(v: Record<string, string>): string {
  return `#!${v.shell_path}
# BEWARE: This file is operated by slapos node
# BEWARE: It will be overwritten automatically

URL="${v.url}"
F_TIMEOUT="${v.time_out}"
TIMEOUT=20
CA_CERT="${v["ca-cert-file"]}"
CERT="${v["cert-file"]}"
KEY="${v["key-file"]}"

if [ -z "$URL" ]; then
  echo "No URL specified." >&2
  exit 3
fi

if [ -s "$F_TIMEOUT" ]; then
  TIMEOUT=$(cat $F_TIMEOUT)
  result=$(echo $TIMEOUT | grep -E ^[0-9]+$)
  if [ -z $result ]; then
    # Not an integer
    TIMEOUT=20
  fi
fi

if [ -z "$CA_CERT" ] || [ -z "$CERT" ] || [ -z "$KEY" ]; then
  CODE=$(${v.curl_path} -g -k -sL $URL -w %{http_code} --max-time $TIMEOUT -o /dev/null)
else
  CODE=$(${v.curl_path} -g -k -sL $URL -w %{http_code} --max-time $TIMEOUT -o /dev/null --cacert $CA_CERT --cert $CERT --key $KEY)
fi

if [ $? -eq 3 ]; then
  echo "URL malformed: $URL." >&2
  exit 1
fi

if [ $? -eq 7 ]; then
  echo "Failed to connect to host: $URL." >&2
  exit 1
fi

if [ ! $CODE ]; then
  echo "$URL is not available (server not reachable)." >&2
  exit 1
fi

if [ $CODE -eq 000 ]; then
  echo "$URL is not available (server not reachable)." >&2
  exit 1
fi

if [ ${v.check_secure} -eq 1 ]; then
  if [ $CODE -eq 401 ]; then
    echo "$URL is protected (returned $CODE)." >&2
    exit 0
  fi
fi

if ! [ $CODE -eq ${v.http_code} ]; then
  echo "$URL is not available (returned $CODE, expected ${v.http_code})." >&2
  exit 2
fi
`;
}

export const checkUrlAvailable: RecipeFactory = (buildout, _name, options) => {
  const install = (): string[] => {
    const directory = buildout.buildout.require("directory");
    const values: Record<string, string> = {
      url: options.require("url"),
      shell_path: options.require("dash_path"),
      curl_path: options.require("curl_path"),
      check_secure: options.get("check-secure") ?? "0",
      http_code: options.get("http_code") ?? "200",
      time_out: options.get("timeout-file-path") ?? join(directory, "etc", "promise_timeout"),
      "ca-cert-file": options.get("ca-cert-file") ?? "",
      "cert-file": options.get("cert-file") ?? "",
      "key-file": options.get("key-file") ?? "",
    };
    const path = options.require("path");
    const declaration = declarationFor(basename(path), join(directory, "etc", "plugin"));
    if (!existsSync(values.shell_path!) || !existsSync(values.curl_path!)) {
      rmSync(path, { force: true });
      const config: Record<string, string> = { url: values.url!, "http-code": values.http_code! };
      for (const key of ["ca-cert-file", "cert-file", "key-file"]) if (values[key]) config[key] = values[key]!;
      return [writeDeclaration(declaration, "url", config)];
    }
    rmSync(declaration, { force: true });
    return [createFile(path, script(values), 0o700)];
  };
  return { install, update: install };
};
