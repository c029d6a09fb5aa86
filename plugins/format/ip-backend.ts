/**
 * The built-in network backend: answers `format.allocateAddress` and
 * `format.configureNetwork` with `ip` and `sysctl` commands, as the
 * reference does. One state per format run (keyed by the run's
 * NetworkContext), so reserved ranges and the interface snapshot never
 * leak between runs of one process.
 */
import type { AddressRequest, AllocatedAddress, NetworkAction, NetworkContext } from "../../core/hooks/groups/format.ts";
import type { Logger } from "../../core/log/logger.ts";
import { createRunner } from "./exec.ts";
import { IpAddresses } from "./ip-addresses.ts";
import { IpLinks } from "./ip-links.ts";
import { InterfaceTable } from "./interfaces.ts";
import { UserDatabase } from "./users.ts";

interface RunState {
  addresses: IpAddresses;
  links: IpLinks;
}

export class IpBackend {
  private readonly runs = new WeakMap<NetworkContext, RunState>();

  constructor(private readonly log: Logger) {}

  private state(network: NetworkContext): RunState {
    let state = this.runs.get(network);
    if (!state) {
      const table = new InterfaceTable();
      const runner = createRunner(this.log, network.dryRun);
      state = {
        addresses: new IpAddresses(network, table, runner, this.log),
        links: new IpLinks(network, table, runner, new UserDatabase(network.dryRun), this.log),
      };
      this.runs.set(network, state);
    }
    return state;
  }

  allocate(request: AddressRequest): AllocatedAddress {
    const { addresses, links } = this.state(request.network);
    switch (request.kind) {
      case "computer":
        return addresses.base(request.preferred);
      case "computer-readd":
        return addresses.ipv6(null, request.stored.addr, request.stored.netmask);
      case "ipv4":
        return addresses.ipv4(request.stored?.addr);
      case "ipv6":
        return addresses.ipv6(request.index, request.stored?.addr, request.stored?.netmask);
      case "tap-ipv6":
        return addresses.ipv6(request.index, request.stored?.addr, request.stored?.netmask, request.partition.tap.name);
      case "ipv6-range":
        return addresses.range(request.index, false);
      case "tun-ipv6-range":
        return addresses.range(request.index, true);
      case "tap-ipv4": {
        const gateway = links.gateway();
        return { addr: gateway.candidates[request.index], netmask: gateway.netmask, gateway: gateway.addr, network: gateway.network };
      }
    }
  }

  configure(action: NetworkAction): true {
    const { links } = this.state(action.network);
    switch (action.kind) {
      case "prepare":
        links.prepare(action.computer);
        break;
      case "tap-create":
        links.create(action.partition.tap, "tap", action.owner);
        break;
      case "tap-routes":
        links.tapRoutes(action.partition.tap);
        break;
      case "tun-create":
        if (action.partition.tun) links.create(action.partition.tun, "tun", action.owner);
        break;
      case "tun-routes":
        if (action.partition.tun) links.tunRoutes(action.partition.tun);
        break;
      case "range-route":
        links.rangeRoute(action.partition);
        break;
    }
    return true;
  }
}
