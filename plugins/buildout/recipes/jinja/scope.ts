/** Variable scopes of a render: a chain of frames ending at the environment's globals. */
import type { PyValue } from "../../py/types.ts";

export class Scope {
  readonly vars = new Map<string, PyValue>();
  constructor(readonly parent?: Scope) {}

  lookup(name: string): PyValue | undefined {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      if (scope.vars.has(name)) return scope.vars.get(name);
    }
    return undefined;
  }

  set(name: string, value: PyValue): void {
    this.vars.set(name, value);
  }

  child(): Scope {
    return new Scope(this);
  }
}

/** Thrown by {% break %} / {% continue %} to the enclosing loop. */
export class LoopSignal {
  constructor(readonly kind: "break" | "continue") {}
}
