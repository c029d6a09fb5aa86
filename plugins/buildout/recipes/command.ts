/**
 * plone.recipe.command — runs `command` with /bin/sh on install and
 * `update-command` on update (nothing when absent), in the buildout folder.
 * A non-zero exit fails the part only with `stop-on-error` (yes/on/true/1);
 * otherwise it is logged and ignored. `location` lists paths the part owns
 * (removed on uninstall).
 */
import type { BuildoutView, RecipeFactory } from "../recipe-api.ts";
import { UserError } from "./util/errors.ts";

const TRUE = new Set(["yes", "on", "true", "1"]);

async function execute(buildout: BuildoutView, name: string, command: string, stopOnError: boolean): Promise<void> {
  buildout.log.info(`${name}: running ${JSON.stringify(command)}`);
  const child = Bun.spawn(["/bin/sh", "-c", command], {
    cwd: buildout.buildout.get("directory") ?? process.cwd(),
    stdin: "ignore",
    stdout: "inherit",
    stderr: "inherit",
  });
  const code = await child.exited;
  if (code === 0) return;
  if (stopOnError) throw new UserError(`command exited with status ${code}: ${command}`);
  buildout.log.warning(`${name}: command exited with status ${code}, ignored (stop-on-error is off)`);
}

export const command: RecipeFactory = (buildout, name, options) => {
  const stopOnError = TRUE.has((options.get("stop-on-error") ?? "no").trim().toLowerCase());
  return {
    async install() {
      const cmd = options.get("command");
      if (cmd) await execute(buildout, name, cmd, stopOnError);
      return (options.get("location") ?? "").split(/\s+/).filter(Boolean);
    },
    async update() {
      const cmd = options.get("update-command");
      if (cmd) await execute(buildout, name, cmd, stopOnError);
    },
  };
};
