// Migration SQL is imported as text so `bun build --compile` embeds it in the binary.
declare module "*.sql" {
  const text: string;
  export default text;
}
