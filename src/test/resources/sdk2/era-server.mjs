// A real MCP server on the official TypeScript SDK 2.x that speaks both eras over stdio (serveStdio picks the era
// from the opening exchange): the 2025 initialize handshake, or the stateless 2026-07-28 revision (server/discover,
// per-request _meta). One tool, "echo"; ERA_TOOL_DESCRIPTION changes its description, which is how the tests make
// "the same server with a changed tool".
import { McpServer, fromJsonSchema } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

serveStdio(({ era }) => {
    const server = new McpServer({ name: 'era-server', version: '1.0.0' },
        { capabilities: { tools: {} }, supportedProtocolVersions: ['2026-07-28', '2025-11-25', '2025-06-18'] });
    server.registerTool('echo', {
        description: process.env.ERA_TOOL_DESCRIPTION || 'Echoes the text back',
        inputSchema: fromJsonSchema({ type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }),
    }, async ({ text }) => ({ content: [{ type: 'text', text: 'echo: ' + text }] }));
    return server;
});
