/**
 * `slapos node register NODE_NAME` (format-collect-cli.md §5.1): get a
 * certificate for the node from the master (token, or login and
 * password), then write the node's configuration directory — the
 * directory of the `--cfg` path (else `$SLAPOS_CONFIGURATION`, else
 * /etc/opt/slapos/slapos.cfg) — with slapos.cfg, the key and the
 * certificate.
 */
import { dirname } from "node:path";
import type { CommandContext } from "../../cli/command.ts";
import { configurationPath } from "../../config/discover.ts";
import { SlapError } from "../../errors.ts";
import { checkCredentials, computerIdOf, requestCertificate, RegisterRefusal, type CertificateKeyPair } from "./credentials.ts";
import { nodeFiles, writeNodeFiles } from "./files.ts";
import { askPassword, askUntilAnswered } from "./prompt.ts";
import { fillTemplate } from "./template.ts";

function text(ctx: CommandContext, name: string): string | undefined {
  const value = ctx.options[name];
  return value === undefined || value === "" ? undefined : String(value);
}

/** Login mode: the given login and password once, or ask until the master accepts them. */
async function loginAndRequest(ctx: CommandContext, web: string, node: string): Promise<CertificateKeyPair | undefined> {
  const login = text(ctx, "login");
  const password = text(ctx, "password");
  const attempts: Array<() => { login: string; password: string }> = [];
  if (login && password) attempts.push(() => ({ login, password }));
  else if (login) attempts.push(() => ({ login, password: askPassword() }));
  const interactive = !(login && password);
  for (let i = 0; i < attempts.length || interactive; i++) {
    const credentials = attempts[i]?.() ?? { login: askUntilAnswered("SlapOS Master Login: ", "login"), password: askPassword() };
    if (await checkCredentials(web, credentials.login, credentials.password)) {
      return requestCertificate(web, node, credentials);
    }
    ctx.log.warning("Wrong login/password");
  }
  return undefined;
}

export async function runRegister(ctx: CommandContext): Promise<number> {
  if (process.getuid?.() !== 0) throw new SlapError("not-root", "This slapos command must be run as root.");
  const node = String(ctx.args.node_name ?? "");
  if (!node.trim()) throw new SlapError("usage", "the node name is empty");
  const partitions = Number(ctx.options["partition-number"]);
  if (!Number.isInteger(partitions) || partitions < 0) {
    throw new SlapError("usage", `argument --partition-number: invalid value: ${JSON.stringify(ctx.options["partition-number"])}`);
  }
  const web = String(ctx.options["master-url-web"]);
  const files = nodeFiles(dirname(configurationPath("node", ctx.globals.cfg)!));

  let pair: CertificateKeyPair | undefined;
  try {
    if (text(ctx, "login") || ctx.options["login-auth"]) {
      pair = await loginAndRequest(ctx, web, node);
      if (!pair) return 1;
    } else {
      const token = text(ctx, "token")?.trim() || askUntilAnswered("Computer security token: ", "token");
      pair = await requestCertificate(web, node, { token });
    }
  } catch (error) {
    if (!(error instanceof RegisterRefusal)) throw error;
    ctx.log[error.level](error.message);
    return 1;
  }
  const computerId = computerIdOf(pair.certificate);
  const configuration = fillTemplate({
    computer_id: computerId,
    master_url: String(ctx.options["master-url"]),
    key_file: files.keyFile,
    cert_file: files.certFile,
    certificate_repository_path: files.certificateRepositoryPath,
    interface_name: String(ctx.options["interface-name"]),
    ipv4_local_network: String(ctx.options["ipv4-local-network"]),
    partition_amount: partitions,
    create_tap: Boolean(ctx.options["create-tap"]),
    software_root: String(ctx.options["software-root"]),
    instance_root: String(ctx.options["instance-root"]),
  });
  writeNodeFiles(files, { key: pair.key, certificate: pair.certificate, configuration }, { dryRun: Boolean(ctx.options["dry-run"]), log: ctx.log });
  ctx.log.info(`Node has successfully been configured as ${computerId}.`);
  ctx.log.info("Now please invoke slapos node boot on your site.");
  return 0;
}
