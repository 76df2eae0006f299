package dev.kiln.workflows.template;

import java.util.List;

/** Payload: the hosts to remove an image from now, and those away that must remove it when they return. */
public record RemovalTargets(List<String> online, List<String> away) {}
