package dev.kiln.activities.docker;

/** An image reference split the way docker's commit and import APIs take it: repository and tag apart. */
record ImageName(String repository, String tag) {

    static final String DEFAULT_TAG = "latest";

    /** The tag follows the last ':' after the last '/', so that a registry port ({@code host:5000/x}) is not one. */
    static ImageName parse(String imageRef) {
        int colon = imageRef.lastIndexOf(':');
        if (colon <= imageRef.lastIndexOf('/')) {
            return new ImageName(imageRef, DEFAULT_TAG);
        }
        return new ImageName(imageRef.substring(0, colon), imageRef.substring(colon + 1));
    }
}
