/**
 * Small constructors for catalogue entries: each hook is a tapable hook that
 * carries a one-line contract, so `slapos plugin list` and the docs can show
 * what tapping it means. Every hook takes one input object (waterfalls take
 * the value to transform first, then a context object).
 */
import {
  AsyncParallelHook,
  AsyncSeriesBailHook,
  AsyncSeriesHook,
  AsyncSeriesWaterfallHook,
  SyncHook,
  SyncWaterfallHook,
} from "tapable";

const contracts = new WeakMap<object, string>();

/** The contract of a hook, as declared in the catalogue. */
export function contractOf(hook: object): string | undefined {
  return contracts.get(hook);
}

function describe<H extends object>(hook: H, contract: string): H {
  contracts.set(hook, contract);
  return hook;
}

/** "Provide or veto": the first tap that returns something other than undefined wins. */
export function bail<I, R>(contract: string) {
  return describe(new AsyncSeriesBailHook<[I], R | undefined>(["input"]), contract);
}

/** "Transform": the value goes through every tap in order. */
export function waterfall<V, C = void>(contract: string) {
  return describe(new AsyncSeriesWaterfallHook<[V, C]>(["value", "context"]), contract);
}

/** Synchronous transform, for hot paths that must not await. */
export function syncWaterfall<V, C = void>(contract: string) {
  return describe(new SyncWaterfallHook<[V, C]>(["value", "context"]), contract);
}

/** Side effects, in tap order; a throw stops the series. */
export function series<I>(contract: string) {
  return describe(new AsyncSeriesHook<[I]>(["input"]), contract);
}

/** Notification to every tap at once. */
export function parallel<I>(contract: string) {
  return describe(new AsyncParallelHook<[I]>(["input"]), contract);
}

/** Synchronous notification. */
export function notify<I>(contract: string) {
  return describe(new SyncHook<[I]>(["input"]), contract);
}
