/**
 * Method dispatch for the RPC server: `namespace.method` lookup with
 * supervisord's rules (exactly two dotted parts, no leading underscore,
 * UNKNOWN_METHOD otherwise), argument counts, the SHUTDOWN_STATE guard,
 * and the `system.*` namespace (listMethods, methodHelp, methodSignature,
 * multicall).
 */
import { SupervisorStates } from "../daemon/states.ts";
import type { RpcValue } from "./codec.ts";
import { Faults, RpcError, toFault } from "./faults.ts";
import type { RpcMethod } from "./methods.ts";

export type Namespaces = Record<string, Record<string, RpcMethod>>;

/** The @param/@return tags of a docstring → [return type, param types...]. */
function signatureOf(help: string): string[] | undefined {
  let returns: string | undefined;
  const params: string[] = [];
  for (const line of help.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === "@return") returns = parts[1] ?? "";
    else if (parts[0] === "@param") params.push(parts[1] ?? "");
  }
  return returns === undefined ? undefined : [returns, ...params];
}

export class Dispatcher {
  readonly namespaces: Namespaces;

  constructor(
    namespaces: Namespaces,
    private readonly mood: () => number,
  ) {
    this.namespaces = { ...namespaces, system: this.systemNamespace() };
  }

  private lookup(name: string): RpcMethod {
    const parts = name.split(".");
    if (parts.length !== 2 || parts[1].startsWith("_")) throw new RpcError(Faults.UNKNOWN_METHOD);
    const namespace = this.namespaces[parts[0]];
    const method = namespace && Object.hasOwn(namespace, parts[1]) ? namespace[parts[1]] : undefined;
    if (!method) throw new RpcError(Faults.UNKNOWN_METHOD);
    return method;
  }

  /** Call a method; throws RpcError (or anything else, which the server turns into FAILED). */
  async call(name: string, params: RpcValue[]): Promise<RpcValue> {
    const method = this.lookup(name);
    const [min, max] = method.arity;
    if (params.length < min || params.length > max) throw new RpcError(Faults.INCORRECT_PARAMETERS);
    if (method.guarded !== false && !name.startsWith("system.") && this.mood() < SupervisorStates.RUNNING) {
      throw new RpcError(Faults.SHUTDOWN_STATE);
    }
    return await method.call(...params);
  }

  private methodList(): Array<[string, RpcMethod]> {
    const out: Array<[string, RpcMethod]> = [];
    for (const [ns, methods] of Object.entries(this.namespaces)) {
      for (const [name, method] of Object.entries(methods)) out.push([`${ns}.${name}`, method]);
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  private systemNamespace(): Record<string, RpcMethod> {
    return {
      listMethods: {
        help: "Return an array listing the available method names\n\n@return array result  An array of method names available (strings).",
        arity: [0, 0],
        call: () => this.methodList().map(([name]) => name),
      },
      methodHelp: {
        help: "Return a string showing the method's documentation\n\n@param string name   The name of the method.\n@return string result The documentation for the method name.",
        arity: [1, 1],
        call: (name) => {
          const found = this.methodList().find(([n]) => n === name);
          if (!found) throw new RpcError(Faults.SIGNATURE_UNSUPPORTED);
          return found[1].help;
        },
      },
      methodSignature: {
        help: "Return an array describing the method signature in the\nform [rtype, ptype, ptype...] where rtype is the return data type\nof the method, and ptypes are the parameter data types that the\nmethod accepts in method argument order.\n\n@param string name  The name of the method.\n@return array result  The result.",
        arity: [1, 1],
        call: (name) => {
          const found = this.methodList().find(([n]) => n === name);
          const signature = found && signatureOf(found[1].help);
          if (!signature) throw new RpcError(Faults.SIGNATURE_UNSUPPORTED);
          return signature;
        },
      },
      multicall: {
        help: "Process an array of calls, and return an array of\nresults. Calls should be structs of the form {'methodName':\nstring, 'params': array}. Each result will either be a\nsingle-item array containing the result value, or a struct of\nthe form {'faultCode': int, 'faultString': string}. This is\nuseful when you need to make lots of small calls without lots\nof round trips.\n\n@param array calls  An array of call requests\n@return array result  An array of results",
        arity: [1, 1],
        call: async (calls) => {
          if (!Array.isArray(calls)) throw new RpcError(Faults.INCORRECT_PARAMETERS);
          const results: RpcValue[] = [];
          for (const call of calls) {
            const struct = (call && typeof call === "object" && !Array.isArray(call) ? call : {}) as Record<string, RpcValue>;
            const name = struct.methodName;
            const params = Array.isArray(struct.params) ? struct.params : [];
            try {
              if (typeof name !== "string") throw new RpcError(Faults.INCORRECT_PARAMETERS, "No methodName");
              if (name === "system.multicall") {
                throw new RpcError(Faults.INCORRECT_PARAMETERS, "Recursive system.multicall forbidden");
              }
              // supervisord appends the value itself, not a one-item array (its docstring says otherwise).
              results.push(await this.call(name, params));
            } catch (error) {
              const [faultCode, faultString] = toFault(error);
              results.push({ faultCode, faultString });
            }
          }
          return results;
        },
      },
    };
  }
}
