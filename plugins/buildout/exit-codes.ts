/** Exit code of `slapos buildout` when a part's recipe has no native implementation (nothing was changed). */
export const UNKNOWN_RECIPE_EXIT = 86;
