/**
 * What the CLI sends to kiln-api and reads back, as records it owns: the requests it makes and views of only the
 * response fields it reads. They mirror schemas of the server's {@code openapi.yaml}; {@code WireContractTest} checks
 * each field against it, so a contract change the CLI does not follow fails this module's build. Responses are read
 * with {@link dev.kiln.cli.wire.WireJson#mapper()}, which ignores fields it does not know: a server that adds a field
 * does not break a client built before it.
 */
package dev.kiln.cli.wire;
