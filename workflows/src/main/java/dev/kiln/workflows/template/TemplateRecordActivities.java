package dev.kiln.workflows.template;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** Control-side bookkeeping of template images on hosts. */
@ActivityInterface
public interface TemplateRecordActivities {

    /** Registered hosts, split by whether they are online now. */
    @ActivityMethod(name = "ImageRemovalTargets")
    RemovalTargets removalTargets();

    /** The host still holds the image: remove it when the host returns. */
    @ActivityMethod(name = "RememberImageRemoval")
    void rememberRemoval(String hostId, String imageRef, String templateId);

    @ActivityMethod(name = "PendingImageRemovals")
    List<String> pendingRemovals(String hostId);

    @ActivityMethod(name = "ForgetImageRemoval")
    void forgetRemoval(String hostId, String imageRef);
}
