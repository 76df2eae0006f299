package dev.kiln.workflows.sandbox;

/**
 * Payload: an image on a host. Add fields at the end only.
 *
 * @param baseImageId the id of the image it was made from, on that host: a build's base image, a snapshotted
 *     sandbox's image; null when not asked for, or in a history from before it was reported
 */
public record ImageInfo(String imageRef, String imageId, long sizeBytes, int layers, String baseImageId) {}
