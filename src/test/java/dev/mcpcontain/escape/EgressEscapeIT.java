package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The outbound allow-list, attacked from inside. A "test internet" is a network namespace this test creates, joined
 * to the host by a veth pair on 203.0.113.0/24 (RFC 5737), with the probe serving HTTP on 203.0.113.10 ports 80 and
 * 8080 and a fake DNS upstream on port 53; each server reports every connection and datagram it sees. The
 * launcher's proxy resolves test names through MCP_CONTAIN_HOSTS_FILE (no real DNS): allowed.test, denied.test,
 * sub.wild.test and port.test go to 203.0.113.10, loop.test to 127.0.0.1, meta.test to 169.254.169.254.
 *
 * <p>Attacks: CONNECT, SOCKS5h and plain HTTP to names off the list; raw TCP by IP; UDP out; DNS for denied names
 * to an outside resolver; names resolving to loopback and the metadata address; the wildcard's apex; the wrong
 * port. Controls: the same uid on the host reaches the test server; allowed names work through curl, python
 * urllib and node 20's fetch (which ignores the proxy variables: transparent capture).
 */
class EgressEscapeIT {

    private static final String HOST_ADDRESS = "203.0.113.1";
    private static final String SERVER_ADDRESS = "203.0.113.10";

    /** The test internet: one namespace, shared by every identity, removed with the suite. */
    private static final class TestInternet {
        final String token = "egress-" + EscapeSuite.randomHex(6);
        final Running web;
        final Running alt;
        final Running dns;
        final int loopback4;
        final int loopback6;
        final String hosts;
        final String fetchJs;
        final String clientsSh;

        TestInternet(EscapeSuite suite) {
            EscapeSuite.requireThat(suite.suiteIsRoot(), "the allow-list escape tests create a network namespace"
                    + " and a veth pair, which needs root");
            String ns = "mcpit-" + EscapeSuite.randomHex(3);
            String hostIf = "mcpih" + EscapeSuite.randomHex(2);
            String nsIf = "mcpin" + EscapeSuite.randomHex(2);
            sh(suite, "ip netns add " + ns);
            suite.onCleanup(() -> suite.exec("remove the test internet", List.of("ip", "netns", "delete", ns), Map.of(),
                    EscapeSuite.DEFAULT_TIMEOUT));
            sh(suite, "ip link add " + hostIf + " type veth peer name " + nsIf);
            suite.onCleanup(() -> suite.exec("remove the veth pair", List.of("ip", "link", "delete", hostIf), Map.of(),
                    EscapeSuite.DEFAULT_TIMEOUT));
            sh(suite, "ip link set " + nsIf + " netns " + ns);
            sh(suite, "ip addr add " + HOST_ADDRESS + "/24 dev " + hostIf);
            sh(suite, "ip link set " + hostIf + " up");
            sh(suite, "ip netns exec " + ns + " ip addr add " + SERVER_ADDRESS + "/24 dev " + nsIf);
            sh(suite, "ip netns exec " + ns + " ip link set " + nsIf + " up");
            sh(suite, "ip netns exec " + ns + " ip link set lo up");
            web = serve(suite, ns, 80);
            alt = serve(suite, ns, 8080);
            dns = serve(suite, ns, 53);
            loopback4 = listen(suite, "127.0.0.1");
            loopback6 = listen(suite, "::1");

            hosts = String.join("\n", "allowed.test " + SERVER_ADDRESS, "denied.test " + SERVER_ADDRESS,
                    "sub.wild.test " + SERVER_ADDRESS, "wild.test " + SERVER_ADDRESS, "port.test " + SERVER_ADDRESS,
                    "loop.test 127.0.0.1", "meta.test 169.254.169.254", "");
            fetchJs = """
                    (async () => {
                      for (const [label, url] of [["node-allowed", "http://allowed.test/"], ["node-denied", "http://denied.test/"],
                                                  ["node-ip", "http://203.0.113.10/"], ["node-loop", "http://loop.test/"]]) {
                        try { const r = await fetch(url); console.log(label, r.status, (await r.text()).trim()); }
                        catch (e) { console.log(label, "FAIL", e.cause ? (e.cause.code || e.cause.message) : e.message); }
                      }
                    })();
                    """;
            clientsSh = """
                    c() { curl -sS -m 15 -o /dev/null -w '%{http_code}' "$@" 2>/dev/null; echo; }
                    echo "curl-allowed $(curl -sS -m 15 http://allowed.test/ 2>&1)"
                    echo "curl-https-connect $(curl -sS -m 15 -p -o /dev/null -w '%{http_code}' http://allowed.test/ 2>&1)"
                    echo "curl-denied $(c http://denied.test/)"
                    echo "curl-connect-denied $(c -p http://denied.test/)"
                    echo "curl-socks-denied $(curl -sS -m 15 -x socks5h://127.0.0.1:3128 http://denied.test/ 2>&1 | tr -d '\\n' | cut -c1-60)"
                    echo "curl-socks-allowed $(curl -sS -m 15 -x socks5h://127.0.0.1:3128 http://allowed.test/ 2>&1)"
                    echo "curl-ip $(c http://203.0.113.10/)"
                    echo "curl-loop $(c http://loop.test/)"
                    echo "curl-meta $(c http://meta.test/)"
                    echo "curl-wild $(curl -sS -m 15 http://sub.wild.test/ 2>&1)"
                    echo "curl-apex $(c http://wild.test/)"
                    echo "curl-port $(curl -sS -m 15 http://port.test:8080/ 2>&1)"
                    echo "curl-port-wrong $(c http://port.test/)"
                    echo "python-allowed $(python3 -c 'import urllib.request as u; print(u.urlopen("http://allowed.test/").read().decode().strip())' 2>&1 | tail -n 1)"
                    echo "python-denied $(python3 -c 'import urllib.request as u; print(u.urlopen("http://denied.test/").read())' 2>&1 | tail -n 1)"
                    echo "dns-allowed $(getent hosts allowed.test | cut -d' ' -f1)"
                    echo "dns-denied $(getent hosts denied.test || echo none)"
                    env -u HTTP_PROXY -u http_proxy -u HTTPS_PROXY -u https_proxy -u ALL_PROXY -u all_proxy -u NODE_USE_ENV_PROXY node "$(dirname "$0")/fetch.js"
                    echo "done"
                    """;
        }

        /** The hosts file and the client scripts in a directory of ID's launching user (granted read-only). */
        Path filesFor(EscapeSuite suite, Identity id) {
            Path dir = suite.workDir(id, "egress");
            suite.ownedFile(id, dir.resolve("hosts"), hosts);
            suite.ownedFile(id, dir.resolve("fetch.js"), fetchJs);
            suite.ownedFile(id, dir.resolve("clients.sh"), clientsSh);
            return dir;
        }

        /** A listener on the host's own loopback answering with the token (reached only through the proxy). */
        private int listen(EscapeSuite suite, String address) {
            try {
                java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName(address));
                Thread t = new Thread(() -> {
                    while (!server.isClosed()) {
                        try (java.net.Socket c = server.accept()) {
                            c.getOutputStream().write(("HTTP/1.0 200 " + token + "\r\n\r\n")
                                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        } catch (java.io.IOException e) {
                            // closed with the suite
                        }
                    }
                }, "egress-loopback");
                t.setDaemon(true);
                t.start();
                suite.onCleanup(() -> {
                    try {
                        server.close();
                    } catch (java.io.IOException e) {
                        // already closed
                    }
                });
                return server.getLocalPort();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private Running serve(EscapeSuite suite, String ns, int port) {
            Running r = suite.start("test internet :" + port, List.of("ip", "netns", "exec", ns, suite.probe().toString(),
                    "@serve", "serve", SERVER_ADDRESS, String.valueOf(port), token), Map.of());
            suite.onCleanup(r::close);
            r.awaitReady();
            return r;
        }

        private static void sh(EscapeSuite suite, String command) {
            RunResult r = suite.exec(command, List.of("sh", "-c", command), Map.of(), EscapeSuite.DEFAULT_TIMEOUT);
            if (r.exitCode() != 0) {
                throw new IllegalStateException("test internet: '" + command + "' failed: " + r);
            }
        }

        /** How many connections (tcp) or datagrams (udp) a server has seen so far. */
        static long seen(Running server, String kind) {
            return server.result().stdout().lines().filter(l -> l.contains("SEEN " + kind)).count();
        }

        /** Everything the test servers have seen so far, as one comparable string. */
        String seenAll() {
            return "web tcp " + seen(web, "tcp") + ", web udp " + seen(web, "udp") + ", alt tcp " + seen(alt, "tcp")
                    + ", alt udp " + seen(alt, "udp") + ", dns tcp " + seen(dns, "tcp") + ", dns udp " + seen(dns, "udp");
        }

        /** Runs ACTION and returns its result with what the test servers saw before and after it. */
        Observed observe(java.util.function.Supplier<RunResult> action) {
            String before = seenAll();
            RunResult r = action.get();
            Running.sleep(300); // a datagram or connection in flight is reported before we look again
            return new Observed(r, before, seenAll());
        }
    }

    /** A run and what the test internet saw meanwhile. */
    private record Observed(RunResult result, String before, String after) {
        void assertNothingArrived() {
            assertEquals(before, after, () -> "the test internet saw traffic from inside the sandbox: " + result);
        }
    }

    private static Steps rawAttempts() {
        return Steps.of()
                .add("ip-direct", "tcp-connect", SERVER_ADDRESS, 80)
                .add("ip-other-port", "tcp-connect", SERVER_ADDRESS, 22)
                .add("udp-dns-out", "udp-send", SERVER_ADDRESS, 53)
                .add("udp-other", "udp-send", SERVER_ADDRESS, 8080)
                .add("interfaces", "interfaces");
    }

    @TestFactory
    Stream<DynamicNode> allowList() {
        EscapeSuite suite = EscapeSuite.get();
        Lazy<TestInternet> net = Lazy.of(() -> new TestInternet(suite));
        return suite.identities().stream().map(id -> {
            Lazy<Path> files = Lazy.of(() -> net.get().filesFor(suite, id));
            Lazy<Observed> rawObserved = Lazy.of(() -> net.get().observe(() -> suite.launch(id, "egress-raw")
                    .option("--allow-host", "allowed.test")
                    .env("MCP_CONTAIN_HOSTS_FILE", files.get().resolve("hosts").toString()).probe(rawAttempts()).run()));
            Lazy<RunResult> raw = Lazy.of(() -> rawObserved.get().result());
            Lazy<Observed> controlObserved = Lazy.of(() -> net.get().observe(() -> suite.control(id, rawAttempts())));
            Lazy<Observed> clientsObserved = Lazy.of(() -> net.get().observe(() -> suite.launch(id, "egress-clients")
                    .option("--allow-host", "allowed.test", "--allow-host", "*.wild.test", "--allow-host", "port.test:8080",
                            "--allow-host", "loop.test", "--allow-host", "meta.test")
                    .grant(files.get(), "ro")
                    .env("MCP_CONTAIN_HOSTS_FILE", files.get().resolve("hosts").toString())
                    .server("/bin/sh", files.get().resolve("clients.sh").toString()).run()));
            Lazy<RunResult> clients = Lazy.of(() -> clientsObserved.get().result());
            Lazy<RunResult> control = Lazy.of(() -> controlObserved.get().result());
            Lazy<RunResult> loopback = Lazy.of(() -> {
                TestInternet n = net.get();
                return suite.launch(id, "egress-loopback")
                        .option("--allow-host", "127.0.0.1:" + n.loopback4, "--allow-host", "[::1]:" + n.loopback6)
                        .probe(Steps.of()
                                .add("v4-listed", "tcp-connect", "127.0.0.1", n.loopback4)
                                .add("v6-listed", "tcp-connect", "::1", n.loopback6)
                                .add("v4-unlisted-port", "tcp-connect", "127.0.0.1", n.loopback6)
                                .add("v6-unlisted-port", "tcp-connect", "::1", n.loopback4)
                                .add("v6-out", "tcp-connect", "2001:db8::1", n.loopback6))
                        .run();
            });
            String reply = "reply=HTTP/1.0 200 ";

            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "control: unconfined, the server's uid reaches the test host by IP (its token comes back)",
                    () -> assertEquals(reply + net.get().token, control.get().assertAllowed("ip-direct").detail(),
                            control.get()::toString)));
            tests.add(Named.test(id, "control: unconfined, its UDP to the fake DNS upstream arrives", () -> {
                Observed o = controlObserved.get();
                assertFalse(o.before().equals(o.after()), "the control's datagrams did not arrive: " + o.after());
            }));
            tests.add(Named.test(id, "raw TCP by IP to a host not listed: reset by the bridge, never arrives", () -> {
                RunResult r = raw.get();
                r.assertProbeCompleted(rawAttempts().labels());
                r.assertDenied("ip-direct", "ECONNRESET");
                r.assertDenied("ip-other-port", "ECONNREFUSED");
                rawObserved.get().assertNothingArrived();
                assertTrue(r.stderr().contains("network: refused 203.0.113.10:80"), r::toString);
                assertTrue(r.stderr().contains("--allow-host 203.0.113.10:80"), r::toString);
            }));
            tests.add(Named.test(id, "UDP out (to a DNS upstream and elsewhere): nothing ever arrives; only lo inside", () -> {
                RunResult r = raw.get();
                r.assertValue("interfaces", "lo");
                rawObserved.get().assertNothingArrived();
            }));
            tests.add(Named.test(id, "clients: curl, python urllib and node fetch reach allowed names and nothing else", () -> {
                RunResult r = clients.get();
                String out = r.stdout();
                String token = net.get().token;
                assertTrue(out.contains("\ndone\n"), r::toString);
                assertLine(r, "curl-allowed " + token);
                assertLine(r, "curl-https-connect 200");
                assertLine(r, "curl-socks-allowed " + token);
                assertLine(r, "curl-wild " + token);
                assertLine(r, "curl-port " + token);
                assertLine(r, "python-allowed " + token);
                assertLine(r, "node-allowed 200 " + token);
                assertLine(r, "dns-allowed 198.18.0.1");
                assertLine(r, "curl-denied 403");
                assertLine(r, "curl-connect-denied 000");
                assertTrue(out.contains("curl-socks-denied curl: (97)"), r::toString);
                assertLine(r, "curl-ip 403");
                assertLine(r, "curl-loop 403");
                assertLine(r, "curl-meta 403");
                assertLine(r, "curl-apex 403");
                assertLine(r, "curl-port-wrong 403");
                assertTrue(out.contains("python-denied urllib.error.HTTPError: HTTP Error 403"), r::toString);
                assertLine(r, "dns-denied none");
                assertLine(r, "node-denied FAIL ENOTFOUND");
                assertLine(r, "node-ip FAIL ECONNRESET");
                assertLine(r, "node-loop FAIL ECONNRESET");
            }));
            tests.add(Named.test(id, "refusal report: one stderr line per refusal naming host:port and the flag", () -> {
                String err = clients.get().stderr();
                assertTrue(err.contains("network: refused denied.test:80 (http): denied.test:80 is not on the allow-list;"
                        + " to allow it: --allow-host denied.test or add it to the profile's network.allow"), err);
                assertTrue(err.contains("network: refused loop.test:80 (http): it resolves to 127.0.0.1, loopback"), err);
                assertTrue(err.contains("network: refused meta.test:80 (http): it resolves to 169.254.169.254"), err);
                assertTrue(err.contains("network: refused denied.test (dns)"), err);
                assertFalse(clients.get().stdout().contains("network: "), "nothing of the launcher's on stdout");
            }));
            tests.add(Named.test(id, "DNS for names off the list never leaves: the fake upstream saw no query", () -> {
                Observed o = clientsObserved.get();
                assertEquals(o.before().replaceAll("(web|alt) tcp \\d+", ""), o.after().replaceAll("(web|alt) tcp \\d+", ""),
                        "only the allowed TCP connections may arrive: " + o.result());
            }));
            tests.add(Named.test(id, "explicit loopback entries: 127.0.0.1:P and [::1]:P reach the host's listeners, other"
                    + " ports and addresses are reset", () -> {
                RunResult r = loopback.get();
                String token = reply + net.get().token;
                assertEquals(token, r.assertAllowed("v4-listed").detail(), r::toString);
                assertEquals(token, r.assertAllowed("v6-listed").detail(), r::toString);
                r.assertDenied("v4-unlisted-port", "ECONNRESET");
                r.assertDenied("v6-unlisted-port", "ECONNRESET");
                r.assertDenied("v6-out", "ECONNRESET");
                assertTrue(r.stderr().contains("network: refused 127.0.0.1:" + net.get().loopback6), r::toString);
            }));
            tests.add(Named.test(id, "--allow-host with --network host: exit 125", () -> {
                RunResult r = suite.launch(id, "egress-conflict").option("--allow-host", "allowed.test", "--network", "host")
                        .probe(Steps.of().add("interfaces", "interfaces")).run();
                r.assertExit(125);
                assertTrue(r.stderr().contains("--allow-host cannot be combined with --network host"), r::toString);
            }));
            return Named.group(id, tests);
        });
    }

    private static void assertLine(RunResult r, String line) {
        assertTrue(("\n" + r.stdout()).contains("\n" + line + "\n"), () -> "no line '" + line + "' in " + r);
    }
}
