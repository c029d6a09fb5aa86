/**
 * Small constructors for catalogue entries: each hook is a tapable hook
 * declared with its one-line contract, what tapping it means, which stands
 * where the hook is declared for plugin authors to read (nothing reads it at
 * run time). Every hook takes one input object (waterfalls take the value to
 * transform first, then a context object).
 */
import {
  AsyncParallelHook,
  AsyncSeriesBailHook,
  AsyncSeriesHook,
  AsyncSeriesWaterfallHook,
  SyncHook,
  SyncWaterfallHook,
} from "tapable";

/** The contract is documentation at the declaration; the hook is returned as is. */
function describe<H extends object>(hook: H, _contract: string): H {
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
