/**
 * What a recipe sees of the running buildout (recipe-api.ts BuildoutView):
 * sections (initialised on demand, constructing their recipes), [buildout],
 * the modes, the hooks and the log; plus, for templates, substitution of a
 * text in a section's context, and nested runs for switch-softwaretype.
 */
import type { Hooks } from "../../../core/hooks/catalogue.ts";
import type { Logger } from "../../../core/log/logger.ts";
import { runAsync } from "../lang/steps.ts";
import type { BuildoutView, DownloadLimits, Options, SubBuildoutRequest } from "../recipe-api.ts";
import type { EngineRun } from "./engine.ts";

export class EngineView implements BuildoutView {
  constructor(private readonly run: EngineRun) {}

  async section(name: string): Promise<Options> {
    const section = await runAsync(this.run.buildout.section(name));
    return this.run.optionsOf(section);
  }

  get buildout(): Options {
    const section = this.run.buildout.sections.get("buildout");
    if (!section) throw new Error("[buildout] is not initialised yet");
    return this.run.optionsOf(section);
  }

  get fork(): boolean {
    return this.run.buildout.fork;
  }

  get offline(): boolean {
    return this.run.buildout.offline;
  }

  get hooks(): Hooks {
    return this.run.request.hooks;
  }

  get log(): Logger {
    return this.run.request.log;
  }

  /**
   * Substitute `${section:option}` references of a text in the context of
   * `section` (so `${:x}` is that section's x); the fork turns `$${` into `${`.
   */
  async substitute(text: string, section: string): Promise<string> {
    const target = await runAsync(this.run.buildout.section(section));
    return runAsync(target.render(text));
  }

  /** Fetch to `destination`, md5-checked, through the binary cache first (see run/download.ts). */
  async download(url: string, destination: string, md5sum?: string, limits?: DownloadLimits): Promise<string> {
    const { download } = await import("./download.ts");
    return download({
      url,
      destination,
      md5sum,
      offline: this.offline,
      directory: this.run.buildout.directory,
      limits: limits ?? this.run.request.limits,
      hooks: this.run.request.hooks,
      log: this.run.request.log,
    });
  }

  /** Run a nested buildout in the same process, with the same recipes and modes. */
  async subBuildout(request: SubBuildoutRequest): Promise<void> {
    const { runInstall } = await import("./run.ts");
    await runInstall({
      ...this.run.request,
      configFile: request.config,
      cwd: this.run.buildout.directory || this.run.request.cwd,
      assignments: request.assignments,
      userDefaults: false,
    });
  }
}
