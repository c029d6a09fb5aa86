/**
 * What the reference's "printing" commands emit: undecorated lines on
 * stdout (a plain handler on the `slapos` logger, propagation off), which
 * `-q` does not silence.
 */
export function printLine(text: string): void {
  process.stdout.write(text + "\n");
}
