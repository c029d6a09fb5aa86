// The demo's service: an HTTP server that says hello, run by the appliance
// binary with BUN_BE_BUN=1. Arguments: host, port, instance title.
// (This file is copied with slapos.recipe.template, which expands buildout
// substitutions: it avoids JavaScript template literals for that reason.)
const [host, port, ...title] = process.argv.slice(2);
const name = title.join(" ") || "the demo";
Bun.serve({
  hostname: host,
  port: Number(port),
  fetch: () => new Response("Hello from " + name + "!\n", { headers: { "Content-Type": "text/plain" } }),
});
console.log("hello: listening on http://" + host + ":" + port + "/");
