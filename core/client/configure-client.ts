/**
 * `slapos configure client` (format-collect-cli.md §7.4): the command's
 * definition, light to import; the work is in configure-client-run.ts.
 */
import type { CommandDef } from "../cli/command.ts";

export const configureClientCommand: CommandDef = {
  name: "configure client",
  group: "client",
  summary: "configure slapos client with an existing account",
  description:
    "Writes the client configuration (--cfg, else $SLAPOS_CLIENT_CONFIGURATION, else ~/.slapos/slapos-client.cfg)\n" +
    "and, beside it, client.crt and client.key (mode 0600; the directory is created 0700), with a certificate\n" +
    "that the master's web side issues for a token (POST <master-url-web>/Person_getCertificate). Refuses\n" +
    "when one of the three files exists. Against this slapos's own master: --master-url https://HOST:PORT\n" +
    "--master-url-web https://HOST:REGISTRATION_PORT --token $(slapos proxy token).",
  options: {
    "master-url": { type: "string", default: "https://slap.vifib.com", help: "URL of SlapOS Master REST API" },
    "master-url-web": {
      type: "string",
      default: "https://panel.rapid.space",
      help: "URL of SlapOS Master webservice to register certificates",
    },
    token: {
      type: "string",
      help: "SlapOS 'credential security' authentication token (if this parameter is omitted, the token will be prompted during configuration)",
    },
  },
  config: "none",
  async run(ctx) {
    const { runConfigureClient } = await import("./configure-client-run.ts");
    return runConfigureClient(ctx);
  },
};
