/** Run a Python 3 snippet that reads JSON on stdin and prints JSON (oracle for Python-exact helpers). */
export async function python<T>(code: string, input: unknown): Promise<T> {
  const child = Bun.spawn(["python3", "-c", code], {
    stdin: new TextEncoder().encode(JSON.stringify(input)),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, status] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (status !== 0) throw new Error(`python3 failed: ${err}`);
  return JSON.parse(out) as T;
}
