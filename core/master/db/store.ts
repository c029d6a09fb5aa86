/**
 * The master's data access: every statement prepared once, and a
 * serialising transaction runner. Each request runs inside exactly one
 * transaction on the one connection, one request at a time, so a request
 * that fails half-way leaves nothing behind (the reference's autocommit
 * partial writes are a bug we fix) and 50 concurrent requesters can never
 * be given the same partition.
 */
import type { Database, Statement } from "bun:sqlite";

export interface PartitionRow {
  reference: string;
  computer_reference: string;
  slap_state: string | null;
  software_release: string | null;
  xml: string | null;
  connection_xml: string | null;
  slave_instance_list: string | null;
  software_type: string | null;
  partition_reference: string | null;
  requested_by: string;
  requested_state: string;
  timestamp: number | null;
}

export interface SoftwareRow {
  url: string;
  computer_reference: string;
  requested_state: string;
}

export interface ComputerRow {
  reference: string;
  address: string | null;
  netmask: string | null;
}

export interface SlaveRow {
  reference: string;
  computer_reference: string;
  connection_xml: string | null;
  hosted_by: string | null;
  asked_by: string | null;
}

export interface NetworkRow {
  partition_reference: string;
  computer_reference: string;
  reference: string;
  address: string;
  netmask: string | null;
}

type Bind = string | number | null;

// Lookups go through an equality index, whose entries for one key are in rowid order, so the
// first row is the reference's first row without ORDER BY rowid / LIMIT 1 (which cost more
// than the lookup itself). Lists whose order is visible keep ORDER BY rowid.

function isBusy(error: unknown): boolean {
  const code = String((error as { code?: string })?.code ?? "");
  return code.startsWith("SQLITE_BUSY");
}

/** Typed prepared statements, built once per database. */
function statements(db: Database) {
  const q = <R>(sql: string) => db.query<R, Bind[]>(sql) as Statement<R, Bind[]>;
  return {
    computer: q<ComputerRow>("SELECT * FROM computer WHERE reference=?"),
    computers: q<ComputerRow>("SELECT * FROM computer ORDER BY rowid"),
    upsertComputer: q<never>("INSERT OR REPLACE INTO computer (reference, address, netmask) VALUES (?, ?, ?)"),
    softwareOf: q<SoftwareRow>("SELECT * FROM software WHERE computer_reference=? ORDER BY rowid"),
    supply: q<never>("INSERT OR REPLACE INTO software (url, computer_reference, requested_state) VALUES (?, ?, ?)"),
    removeSoftware: q<never>("DELETE FROM software WHERE url=? AND computer_reference=?"),
    partitionsOf: q<PartitionRow>("SELECT * FROM partition WHERE computer_reference=? ORDER BY rowid"),
    partition: q<PartitionRow>("SELECT * FROM partition WHERE reference=? AND computer_reference=?"),
    instance: q<PartitionRow>("SELECT * FROM partition WHERE partition_reference=? AND requested_by=?"),
    firstFree: q<PartitionRow>("SELECT * FROM partition WHERE computer_reference=? AND slap_state='free'"),
    freeOf: q<PartitionRow>("SELECT * FROM partition WHERE slap_state='free' AND computer_reference=? ORDER BY rowid"),
    childrenOf: q<{ partition_reference: string }>(
      "SELECT partition_reference FROM partition WHERE requested_by=? ORDER BY partition_reference",
    ),
    destroyChildren: q<never>("UPDATE partition SET requested_state='destroyed' WHERE requested_by=?"),
    free: q<never>(
      "UPDATE partition SET slap_state='free', software_release=NULL, xml=NULL, connection_xml=NULL, slave_instance_list=NULL," +
        " software_type=NULL, partition_reference=NULL, requested_by='', requested_state='started' WHERE reference=? AND computer_reference=?",
    ),
    savePartition: q<never>(
      "UPDATE partition SET slap_state='busy', partition_reference=?, requested_by=?, requested_state=?, software_release=?," +
        " software_type=?, xml=?, timestamp=? WHERE reference=? AND computer_reference=?",
    ),
    setSlaveList: q<never>("UPDATE partition SET slave_instance_list=?, timestamp=? WHERE reference=? AND computer_reference=?"),
    setConnection: q<never>("UPDATE partition SET connection_xml=? WHERE reference=? AND computer_reference=?"),
    setSlaveConnection: q<never>("UPDATE slave SET connection_xml=?, hosted_by=? WHERE reference=?"),
    bang: q<never>("UPDATE partition SET timestamp=? WHERE (partition_reference=? AND requested_by=?) OR requested_by=?"),
    renameChildren: q<never>("UPDATE partition SET requested_by=? WHERE requested_by=?"),
    rename: q<never>("UPDATE partition SET partition_reference=? WHERE reference=? AND computer_reference=?"),
    hostFor: q<PartitionRow>(
      "SELECT * FROM partition WHERE software_release=? AND computer_reference=?",
    ),
    hostForType: q<PartitionRow>(
      "SELECT * FROM partition WHERE software_release=? AND computer_reference=? AND software_type=?",
    ),
    hostForGuid: q<PartitionRow>(
      "SELECT * FROM partition WHERE software_release=? AND computer_reference=? AND reference=?",
    ),
    hostForTypeGuid: q<PartitionRow>(
      "SELECT * FROM partition WHERE software_release=? AND computer_reference=? AND software_type=? AND reference=?",
    ),
    slave: q<SlaveRow>("SELECT * FROM slave WHERE reference=? AND computer_reference=?"),
    insertSlave: q<never>("INSERT INTO slave (reference, computer_reference, asked_by, hosted_by) VALUES (?, ?, ?, ?)"),
    networksOf: q<NetworkRow>("SELECT * FROM partition_network WHERE partition_reference=? AND computer_reference=?"),
    /** The reference's requestNotSlave reads addresses by partition reference only (slap-protocol.md §4.5). */
    networksByName: q<NetworkRow>("SELECT * FROM partition_network INDEXED BY network_by_name WHERE partition_reference=?"),
    networksOfComputer: q<NetworkRow>("SELECT * FROM partition_network WHERE computer_reference=? ORDER BY rowid"),
    deleteNetworks: q<never>("DELETE FROM partition_network WHERE computer_reference=?"),
    insertPartition: q<never>("INSERT OR IGNORE INTO partition (reference, computer_reference) VALUES (?, ?)"),
    insertNetwork: q<never>(
      "INSERT INTO partition_network (reference, partition_reference, computer_reference, address, netmask) VALUES (?, ?, ?, ?, ?)",
    ),
    forward: q<never>("INSERT OR REPLACE INTO forwarded_partition_request (partition_reference, master_url) VALUES (?, ?)"),
    unforward: q<never>("DELETE FROM forwarded_partition_request WHERE partition_reference=? AND master_url=?"),
    rootPartitions: q<PartitionRow>("SELECT * FROM partition WHERE slap_state!='free' AND requested_by='' ORDER BY rowid"),
    rootPartitionsTitled: q<PartitionRow>(
      "SELECT * FROM partition WHERE slap_state!='free' AND requested_by='' AND partition_reference=? ORDER BY rowid",
    ),
    rootShared: q<SlaveRow>("SELECT * FROM slave WHERE asked_by='' ORDER BY rowid"),
    rootSharedTitled: q<SlaveRow>("SELECT * FROM slave WHERE asked_by='' AND reference=? ORDER BY rowid"),
    partitionNamed: q<PartitionRow>("SELECT * FROM partition WHERE partition_reference=? ORDER BY rowid LIMIT 1"),
    partitionAnyComputer: q<PartitionRow>("SELECT * FROM partition WHERE reference=? ORDER BY rowid LIMIT 1"),
    slaveAnyComputer: q<SlaveRow>("SELECT * FROM slave WHERE reference=? ORDER BY rowid LIMIT 1"),
    dataVersion: q<{ data_version: number }>("PRAGMA data_version"),
    totalChanges: q<{ n: number }>("SELECT total_changes() AS n"),
  };
}

export type Statements = ReturnType<typeof statements>;

/**
 * One database, its statements, and the request serialiser. `generation`
 * moves on every committed write, so answers may be cached against it.
 */
export class Store {
  readonly sql: Statements;
  private busy = false;
  private readonly waiting: Array<() => void> = [];
  private writeGeneration = 0;
  private readonly begin: { read: Statement; write: Statement };
  private readonly commit: Statement;
  private readonly rollback: Statement;

  constructor(readonly db: Database) {
    this.sql = statements(db);
    this.begin = { read: db.prepare("BEGIN"), write: db.prepare("BEGIN IMMEDIATE") };
    this.commit = db.prepare("COMMIT");
    this.rollback = db.prepare("ROLLBACK");
  }

  /** How many of this process's transactions committed a change so far (no SQL: free to read). */
  get writes(): number {
    return this.writeGeneration;
  }

  /** Changes when this process commits a write or another connection does. */
  generation(): string {
    return `${this.writeGeneration}:${this.sql.dataVersion.get()!.data_version}`;
  }

  private async acquire(): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }

  /**
   * Run `fn` alone, inside one transaction: committed if it returns,
   * rolled back if it throws. A write transaction starts deferred (most
   * re-requests change nothing, and taking the write lock costs more than
   * the request); if another process committed in between and SQLite
   * refuses the upgrade, the whole transaction runs again with the write
   * lock taken up front.
   */
  async transaction<T>(kind: "read" | "write", fn: () => T | Promise<T>): Promise<T> {
    await this.acquire();
    try {
      try {
        return await this.once(kind === "write" ? "deferred" : "read", fn);
      } catch (error) {
        if (kind !== "write" || !isBusy(error)) throw error;
        return await this.once("write", fn);
      }
    } finally {
      this.release();
    }
  }

  private async once<T>(mode: "read" | "deferred" | "write", fn: () => T | Promise<T>): Promise<T> {
    (mode === "write" ? this.begin.write : this.begin.read).run();
    const before = mode === "read" ? 0 : this.sql.totalChanges.get()!.n;
    try {
      const result = await fn();
      const changed = mode !== "read" && this.sql.totalChanges.get()!.n !== before;
      this.commit.run();
      if (changed) this.writeGeneration++;
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.rollback.run();
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }
}
