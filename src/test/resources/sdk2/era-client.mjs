// A real MCP client on the official TypeScript SDK 2.x: connects in the era given (legacy: initialize handshake;
// modern: pinned to 2026-07-28, server/discover and per-request _meta), lists the tools, calls "echo", and prints
// one JSON line: {"era", "protocolVersion", "tools", "call"} or {"error", "code"}.
//   node era-client.mjs legacy|modern COMMAND [ARGS...]
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const [era, command, ...args] = process.argv.slice(2);
const modern = era === 'modern';
const client = new Client({ name: 'era-client', version: '1.0.0' }, modern
    ? { versionNegotiation: { mode: { pin: '2026-07-28' } }, supportedProtocolVersions: ['2026-07-28', '2025-11-25'] }
    : { versionNegotiation: { mode: 'legacy' } });
const transport = new StdioClientTransport({ command, args, env: process.env, stderr: 'inherit' });
const out = { era };
try {
    await client.connect(transport);
    out.protocolVersion = client.getNegotiatedProtocolVersion();
    const listed = await client.listTools();
    out.tools = listed.tools.map(t => ({ name: t.name, description: t.description }));
    const called = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    out.call = called.content.map(c => c.text).join('');
} catch (e) {
    out.error = String(e && e.message || e);
    out.code = e && e.code;
}
process.stdout.write(JSON.stringify(out) + '\n');
await client.close().catch(() => {});
process.exit(0);
