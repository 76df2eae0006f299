package dev.kiln.workflows;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptorBase;
import java.util.Locale;

/**
 * Gives every activity a summary in the Temporal UI. Host activities set their own ("step 5/12: RUN npm ci");
 * the control-side bookkeeping ones would show a bare type, so they get their type in words: "record sandbox
 * running" for RecordSandboxRunning. Register it on every worker that runs Kiln workflows.
 */
public final class ActivitySummaries extends WorkerInterceptorBase {

    @Override
    public WorkflowInboundCallsInterceptor interceptWorkflow(WorkflowInboundCallsInterceptor next) {
        return new WorkflowInboundCallsInterceptorBase(next) {
            @Override
            public void init(WorkflowOutboundCallsInterceptor outbound) {
                super.init(new WorkflowOutboundCallsInterceptorBase(outbound) {
                    @Override
                    public <R> ActivityOutput<R> executeActivity(ActivityInput<R> input) {
                        ActivityOptions options = input.getOptions();
                        if (options.getSummary() != null) {
                            return super.executeActivity(input);
                        }
                        return super.executeActivity(new ActivityInput<>(input.getActivityName(), input.getResultClass(),
                                input.getResultType(), input.getArgs(),
                                ActivityOptions.newBuilder(options).setSummary(inWords(input.getActivityName())).build(),
                                input.getHeader()));
                    }
                });
            }
        };
    }

    /** "RecordSandboxRunning" -> "record sandbox running". */
    static String inWords(String activityType) {
        return activityType.replaceAll("(?<=[a-z0-9])(?=[A-Z])", " ").toLowerCase(Locale.ROOT);
    }
}
