package dev.kiln.workflows.sandbox;

/** Payload: an image on a host. */
public record ImageInfo(String imageRef, String imageId, long sizeBytes, int layers) {}
