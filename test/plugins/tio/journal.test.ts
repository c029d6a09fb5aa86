/**
 * The consumption journal (format-collect-cli.md §2.5, §3; acceptance
 * checks 35–37): exact bytes, the reference's resources and figures, and
 * validation with xmllint against the plugin's own TIO schemas — for the
 * journals collect writes and for those node report aggregates.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { computerConsumptionProblem, partitionConsumptionProblem } from "../../../core/node/report/tio-schema.ts";
import { usageJournal } from "../../../core/node/report/usage.ts";
import { buildXmlReport, consumptionJournal, cpuLoadAverage, memoryAverage, partitionCpuLoadAverage } from "../../../plugins/tio/report/consumption.ts";
import { Journal } from "../../../plugins/tio/report/journal.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { freshDb, process, sampleAt } from "./fixtures.ts";

const SCHEMAS = resolve(import.meta.dir, "../../../plugins/tio/schema");

/** xmllint's verdict on a document against one of our schemas. */
function xmllint(xml: string, schema: "computer_consumption.xsd" | "partition_consumption.xsd"): boolean {
  const file = join(tempDir(), "doc.xml");
  writeFileSync(file, xml);
  const run = Bun.spawnSync(["xmllint", "--noout", "--schema", join(SCHEMAS, schema), file], { stderr: "pipe" });
  return run.exitCode === 0;
}

describe("the Journal writer (TestJournal.test_journal)", () => {
  test("an empty journal", () => {
    expect(new Journal().toXml()).toBe("<?xml version='1.0' encoding='utf-8'?><journal/>");
  });
  test("the exact bytes of the reference test", () => {
    const journal = new Journal();
    const transaction = journal.newTransaction();
    journal.setProperty(transaction, "title", "TestJournal");
    journal.setProperty(transaction, "reference", "reference-of-testjournal");
    journal.newArrow(transaction, "Destination");
    journal.newMovement(transaction, { resource: "ee", title: "ZZ", quantity: "10", reference: "BB", category: "" });
    expect(journal.toXml()).toBe(
      `<?xml version='1.0' encoding='utf-8'?><journal><transaction type="Sale Packing List"><title>TestJournal</title><reference>reference-of-testjournal</reference><arrow type="Destination"/><movement><resource>ee</resource><title>ZZ</title><reference>BB</reference><quantity>10</quantity><price>0.0</price><VAT></VAT><category></category></movement></transaction></journal>`,
    );
  });
  test("text is escaped and non-ASCII written as character references, as lxml does", () => {
    const journal = new Journal();
    journal.setProperty(journal.newTransaction(), "title", "a<b & c>d é");
    expect(journal.toXml()).toContain("<title>a&lt;b &amp; c&gt;d &#233;</title>");
  });
});

const DAY = "2019-10-07";

function populated() {
  const { db } = freshDb();
  const at = (time: string, cpu: number, memory: number, processes: ReturnType<typeof process>[], folders: Array<{ partition: string; disk_used: number }>) =>
    db.insertSample(sampleAt(DAY, time, { system: { ...sampleAt(DAY, time).system, cpu_percent: cpu, memory_used: memory }, processes, folders }));
  at("00:00:00", 10.0, 14211174517, [process("slapuser0", { pid: 1, cpu_percent: 1.5, memory_rss: 1048576 }), process("slapuser0", { pid: 2, cpu_percent: 0.1, memory_rss: 2097152 }), process("slapuser2", { pid: 5, cpu_percent: 33.25, memory_rss: 1000 })], [
    { partition: "slapuser1", disk_used: 2048 },
    { partition: "slapuser2", disk_used: 1500.5 },
  ]);
  at("00:01:00", 20.0, 14211174518, [process("slapuser0", { pid: 1, cpu_percent: 2.0, memory_rss: 1048576 }), process("slapuser2", { pid: 5, cpu_percent: 33.5, memory_rss: 1000 })], [
    { partition: "slapuser1", disk_used: 4096 },
  ]);
  at("00:02:00", 10.0, 14211174519, [process("slapuser2", { pid: 5, cpu_percent: 33.25, memory_rss: 1001 })], []);
  return db;
}

const movement = (resource: string, title: string, reference: string, quantity: string) =>
  `<movement><resource>${resource}</resource><title>${title}</title><reference>${reference}</reference><quantity>${quantity}</quantity><price>0.0</price><VAT></VAT><category></category></movement>`;

const EXPECTED =
  `<?xml version='1.0' encoding='utf-8'?><journal><transaction type="Sale Packing List"><title>Eco Information for COMP-192938 </title>` +
  `<start_date>2019-10-07 00:00:00</start_date><stop_date>2019-10-07 23:59:59</stop_date><reference>2019-10-07-global</reference>` +
  `<currency></currency><payment_mode></payment_mode><category></category><arrow type="Destination"/>` +
  movement("service_module/cpu_load_percent", "CPU Load Percent Average", "COMP-192938", "13.333333333333334") +
  movement("service_module/memory_used", "Used Memory", "COMP-192938", "14211174518.0") +
  movement("service_module/zero_emission_ratio", "Zero Emission Ratio", "COMP-192938", "-1") +
  movement("service_module/cpu_load_percent", "CPU Load Percent Average for slapuser0", "slapuser0", "1.8") +
  movement("service_module/cpu_load_percent", "CPU Load Percent Average for slapuser2", "slapuser2", "33.333333333333336") +
  movement("service_module/memory_used", "Memory Used Average for slapuser0", "slapuser0", "2.0") +
  movement("service_module/memory_used", "Memory Used Average for slapuser2", "slapuser2", "0.0009539922078450521") +
  movement("service_module/disk_used", "Partition Disk Used Average for slapuser1", "slapuser1", "3.0") +
  movement("service_module/disk_used", "Partition Disk Used Average for slapuser2", "slapuser2", "1.46533203125") +
  `</transaction></journal>`;

describe("the daily consumption journal", () => {
  const users = ["slapuser0", "slapuser1", "slapuser2"];

  test("the reference's resources, titles and Python float texts, byte for byte", () => {
    expect(consumptionJournal(populated(), "COMP-192938", users, DAY)).toBe(EXPECTED);
  });

  test("validates with xmllint against computer_consumption.xsd", () => {
    expect(xmllint(EXPECTED, "computer_consumption.xsd")).toBe(true);
  });

  test("a day without data (test_getCpuLoadAverageConsumption, test_getMemoryAverageConsumption) gives no figure", () => {
    const db = populated();
    expect(cpuLoadAverage(db, "2019-10-08")).toBeNull();
    expect(memoryAverage(db, "2019-NO(d")).toBeNull();
    expect(partitionCpuLoadAverage(db, "slapuser1", DAY)).toBeNull();
  });

  test("a day without data still has the zero emission movement, and validates", () => {
    const xml = consumptionJournal(freshDb().db, "COMP-1", users, "2019-10-08");
    expect(xml).toContain(movement("service_module/zero_emission_ratio", "Zero Emission Ratio", "COMP-1", "-1"));
    expect(xml).not.toContain("cpu_load_percent");
    expect(xml).not.toContain("memory_used");
    expect(xmllint(xml, "computer_consumption.xsd")).toBe(true);
  });

  test("the latest heating test gives the zero emission ratio ([BUG] fixed: the reference took the oldest day's)", () => {
    const { db } = freshDb();
    const heating = (ratio: number) => ({ model_id: "nuc_i7", sensor_id: "s", initial_temperature: 40, final_temperature: 50, delta_time: 300, zero_emission_ratio: ratio });
    db.insertSample(sampleAt("2019-10-01", "10:00:00", { heating: heating(100) }));
    db.insertSample(sampleAt("2019-10-05", "09:00:00", { heating: heating(0) }));
    expect(consumptionJournal(db, "C", [], DAY)).toContain("<title>Zero Emission Ratio</title><reference>C</reference><quantity>0.0</quantity>");
  });

  test("a .uploaded marker means no journal (test_buildXMLReport)", async () => {
    const location = tempDir();
    writeFileSync(join(location, `${DAY}.xml.uploaded`), "");
    expect(await buildXmlReport(populated(), "COMP-192938", users, location, DAY)).toBeUndefined();
    expect(existsSync(join(location, `${DAY}.xml`))).toBe(false);
  });

  test("without a marker the journal is written to <location>/<date>.xml, once", async () => {
    const location = tempDir();
    const written = await buildXmlReport(populated(), "COMP-192938", users, location, DAY);
    expect(written?.path).toBe(join(location, `${DAY}.xml`));
    expect(readFileSync(written!.path, "utf8")).toBe(EXPECTED);
    expect(await buildXmlReport(populated(), "COMP-192938", users, location, DAY)).toBeUndefined();
  });

  test("the collect.journal transform sees the journal before it is written", async () => {
    const location = tempDir();
    await buildXmlReport(populated(), "COMP-192938", users, location, DAY, async (xml) => xml.replace("Eco Information", "Eco"));
    expect(readFileSync(join(location, `${DAY}.xml`), "utf8")).toContain("<title>Eco for COMP-192938 </title>");
  });
});

describe("the journal node report aggregates from partition documents", () => {
  const partitionDoc = `<?xml version="1.0" encoding="utf-8"?>
<consumption>
  <movement>
    <resource>CPU</resource>
    <title>CPU consumption of slappart3</title>
    <reference>slappart3</reference>
    <quantity>42.5</quantity>
    <price>0.0</price>
    <VAT></VAT>
    <category></category>
  </movement>
</consumption>`;

  test("the reference's partition document validates against partition_consumption.xsd", () => {
    expect(xmllint(partitionDoc, "partition_consumption.xsd")).toBe(true);
    expect(partitionConsumptionProblem(partitionDoc)).toBeUndefined();
  });

  test("the aggregated journal validates against computer_consumption.xsd", () => {
    const movementXml =
      "<movement><resource>CPU</resource><title>CPU consumption of slappart3</title><reference>slappart3</reference><quantity>42.5</quantity><price>0.0</price><VAT></VAT><category></category></movement>";
    const journal = usageJournal("COMP-1234", [movementXml], new Date(2024, 4, 1, 12, 0, 0));
    expect(journal).toBe(
      `<?xml version="1.0"?><journal><transaction type="Sale Packing List"><title>Resource consumptions</title><start_date></start_date><stop_date>2024-05-01 at 12:00:00</stop_date><reference>COMP-1234</reference><currency></currency><payment_mode></payment_mode><category></category><arrow type="Administration"><source></source><destination></destination></arrow>${movementXml}</transaction></journal>`,
    );
    expect(xmllint(journal, "computer_consumption.xsd")).toBe(true);
    expect(computerConsumptionProblem(journal)).toBeUndefined();
  });
});

describe("node report's native validator agrees with xmllint and the XSD files", () => {
  const wrap = (movementBody: string) => `<consumption><movement>${movementBody}</movement></consumption>`;
  const good = "<resource>r</resource><quantity>1</quantity><price>0.0</price><VAT/>";
  const partitionCases: Array<[string, string]> = [
    ["minimal", wrap(good)],
    ["all optional elements", wrap("<resource>r</resource><title>t</title><reference>x</reference><quantity>1.5</quantity><price>0</price><VAT>v</VAT><category>a</category><category>b</category>")],
    ["no movement", "<consumption></consumption>"],
    ["missing VAT", wrap("<resource>r</resource><quantity>1</quantity><price>0.0</price>")],
    ["wrong order", wrap("<quantity>1</quantity><resource>r</resource><price>0.0</price><VAT/>")],
    ["title after reference", wrap("<resource>r</resource><reference>x</reference><title>t</title><quantity>1</quantity><price>0.0</price><VAT/>")],
    ["unknown element", wrap(good + "<extra/>")],
    ["attribute not declared", `<consumption><movement id="1">${good}</movement></consumption>`],
    ["element inside a text element", wrap("<resource>r<b/></resource><quantity>1</quantity><price>0.0</price><VAT/>")],
    ["text between elements", wrap(`x${good}`)],
    ["other root", `<journal>${wrap(good)}</journal>`],
    ["default namespace", `<consumption xmlns="urn:x"><movement>${good}</movement></consumption>`],
  ];
  for (const q of ["1e5", " 1.5 ", "1.", ".5", "-INF", "NaN", " -INF", "1e", "-0", "01", "+.5e-3", "", "inf", "+INF", "INF ", "1,5", "0x10", "1 2", ".", "+"]) {
    partitionCases.push([`quantity ${JSON.stringify(q)}`, wrap(`<resource>r</resource><quantity>${q}</quantity><price>0.0</price><VAT/>`)]);
  }
  for (const [name, xml] of partitionCases) {
    test(`partition document: ${name}`, () => {
      expect(partitionConsumptionProblem(xml) === undefined).toBe(xmllint(xml, "partition_consumption.xsd"));
    });
  }

  const tx = (body: string, attributes = ' type="Sale Packing List"') => `<journal><transaction${attributes}>${body}</transaction></journal>`;
  const head = "<start_date/><stop_date/><reference>r</reference><currency/><payment_mode/>";
  const arrow = '<arrow type="Destination"/>';
  const move = `<movement>${good}</movement>`;
  const computerCases: Array<[string, string]> = [
    ["minimal", tx(head + arrow + move)],
    ["with title and categories", tx(`<title>t</title>${head}<category/><category>c</category>${arrow}${move}${move}`)],
    ["arrow with source and destination", tx(`${head}<arrow type="A"><source>s</source><destination>d</destination></arrow>${move}`)],
    ["arrow without type", tx(`${head}<arrow/>${move}`)],
    ["transaction without type", tx(head + arrow + move, "")],
    ["no arrow", tx(head + move)],
    ["no movement", tx(head + arrow)],
    ["missing payment_mode", tx(`<start_date/><stop_date/><reference>r</reference><currency/>${arrow}${move}`)],
    ["destination before source", tx(`${head}<arrow type="A"><destination>d</destination><source>s</source></arrow>${move}`)],
    ["no transaction", "<journal/>"],
    ["two transactions", `<journal>${tx(head + arrow + move).slice(9, -10)}${tx(head + arrow + move).slice(9, -10)}</journal>`],
    ["bad price", tx(`${head}${arrow}<movement><resource>r</resource><quantity>1</quantity><price>free</price><VAT/></movement>`)],
  ];
  for (const [name, xml] of computerCases) {
    test(`computer journal: ${name}`, () => {
      expect(computerConsumptionProblem(xml) === undefined).toBe(xmllint(xml, "computer_consumption.xsd"));
    });
  }
});
