/** Preloaded before every test file (bunfig.toml): the run's global clean-ups. */
import { afterAll } from "bun:test";
import { runCleanups } from "./helpers/cleanup.ts";

afterAll(runCleanups);
