// Files bundled into the binary as text (Bun's `with { type: "text" }` imports).
declare module "*.cfg" {
  const text: string;
  export default text;
}
declare module "*.cfg.in" {
  const text: string;
  export default text;
}
declare module "*.service" {
  const text: string;
  export default text;
}
