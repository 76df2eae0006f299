package dev.kiln.api.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowServiceException;
import java.sql.SQLException;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;

class OutagesTest {

    @Test
    void aConnectionJdbiCouldNotGetIsTheDatabaseUnavailable() {
        assertThat(Outages.of(new ConnectionException(new SQLException("Connection refused", "08001"))))
                .contains(ErrorCode.DATABASE_UNAVAILABLE);
    }

    @Test
    void aConnectionLostMidStatementIsTheDatabaseUnavailable() {
        assertThat(Outages.of(new UnableToExecuteStatementException(
                new SQLException("An I/O error occurred while sending to the backend", "08006"), null)))
                .contains(ErrorCode.DATABASE_UNAVAILABLE);
        assertThat(Outages.of(new UnableToExecuteStatementException(
                new SQLException("terminating connection due to administrator command", "57P01"), null)))
                .contains(ErrorCode.DATABASE_UNAVAILABLE);
    }

    @Test
    void aStatementPostgresqlRefusedIsNoOutage() {
        assertThat(Outages.of(new UnableToExecuteStatementException(
                new SQLException("duplicate key value violates unique constraint", "23505"), null))).isEmpty();
    }

    @Test
    void aTemporalFrontendThatCannotBeReachedIsTemporalUnavailable() {
        WorkflowServiceException failed = new WorkflowServiceException(WorkflowExecution.getDefaultInstance(), "Run",
                new StatusRuntimeException(Status.UNAVAILABLE.withDescription("io exception")));
        assertThat(Outages.of(failed)).contains(ErrorCode.TEMPORAL_UNAVAILABLE);
    }

    @Test
    void aTemporalCallRefusedForItsContentIsNoOutage() {
        assertThat(Outages.of(new StatusRuntimeException(Status.INVALID_ARGUMENT))).isEmpty();
    }

    @Test
    void aBugIsNoOutage() {
        assertThat(Outages.of(new IllegalStateException("bug", new NullPointerException()))).isEmpty();
    }
}
