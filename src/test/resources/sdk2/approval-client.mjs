// A real MCP host on an official TypeScript SDK client that answers approval asks: v1 (@modelcontextprotocol/sdk,
// 2025 era, elicitation/create requests) or v2 (@modelcontextprotocol/client, legacy or pinned to 2026-07-28, where
// the ask arrives as an input_required result that the SDK fulfils through the same elicitation handler).
// Calls one tool and prints one JSON line: {"asked": [messages], "text", "isError"} or {"error", "code"}.
//   node approval-client.mjs v1|v2 legacy|modern accept|session|always|decline|none TOOL ARGS_JSON COMMAND [ARGS...]
// "none" declares no elicitation capability (a headless host).
const [sdk, era, answer, tool, argsJson, command, ...args] = process.argv.slice(2);
const canAsk = answer !== 'none';
const asked = [];
const handler = async (request) => {
    asked.push(request.params.message);
    if (answer === 'decline') {
        return { action: 'decline' };
    }
    return { action: 'accept', content: answer === 'accept' ? {} : { scope: answer } };
};
let client;
let transport;
if (sdk === 'v1') {
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    const { ElicitRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
    client = new Client({ name: 'approval-host', version: '1.0.0' },
        { capabilities: canAsk ? { elicitation: {} } : {} });
    if (canAsk) {
        client.setRequestHandler(ElicitRequestSchema, handler);
    }
    transport = new StdioClientTransport({ command, args, env: process.env, stderr: 'inherit' });
} else {
    const { Client } = await import('@modelcontextprotocol/client');
    const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
    const modern = era === 'modern';
    client = new Client({ name: 'approval-host', version: '1.0.0' }, {
        capabilities: canAsk ? { elicitation: {} } : {},
        ...(modern
            ? { versionNegotiation: { mode: { pin: '2026-07-28' } }, supportedProtocolVersions: ['2026-07-28', '2025-11-25'] }
            : { versionNegotiation: { mode: 'legacy' } }),
    });
    if (canAsk) {
        client.setRequestHandler('elicitation/create', handler);
    }
    transport = new StdioClientTransport({ command, args, env: process.env, stderr: 'inherit' });
}
const out = { sdk, era, asked };
try {
    await client.connect(transport);
    await client.listTools();
    const called = await client.callTool({ name: tool, arguments: JSON.parse(argsJson) });
    out.text = (called.content || []).map(c => c.text).join('');
    out.isError = called.isError === true;
} catch (e) {
    out.error = String(e && e.message || e);
    out.code = e && e.code;
}
process.stdout.write(JSON.stringify(out) + '\n');
await client.close().catch(() => {});
process.exit(0);
