/**
 * Whether any plugin tapped a hook. Not tapable's isUsed(): the plugin host
 * puts an interceptor on every hook, which makes isUsed() always true.
 */
export function tapped(hook: { taps: readonly unknown[] } | undefined): boolean {
  return Boolean(hook && hook.taps.length > 0);
}
