package dev.kiln.workflows.template;

import java.util.List;

/** The control side of image removal: answers the hosts to remove from, logs as "control: ...". */
final class FakeTemplateRecords implements TemplateRecordActivities {
    private final List<String> log;
    volatile RemovalTargets targets = new RemovalTargets(List.of(), List.of());

    FakeTemplateRecords(List<String> log) {
        this.log = log;
    }

    @Override
    public RemovalTargets removalTargets() {
        RemovalTargets answer = targets;
        log.add("control: targets online " + answer.online() + " away " + answer.away());
        return answer;
    }

    @Override
    public void rememberRemoval(String hostId, String imageRef, String templateId) {
        log.add("control: remember " + imageRef + " of " + templateId + " for " + hostId);
    }

    @Override
    public List<String> pendingRemovals(String hostId) {
        throw new UnsupportedOperationException("read by the host workflow, not by template images");
    }

    @Override
    public void forgetRemoval(String hostId, String imageRef) {
        throw new UnsupportedOperationException("written by the host workflow, not by template images");
    }
}
