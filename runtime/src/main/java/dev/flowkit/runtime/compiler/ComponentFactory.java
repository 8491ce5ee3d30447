package dev.flowkit.runtime.compiler;

/** Builds the runtime component for one spec type; [components] resolves nested specs (e.g. a path's schedule). */
@FunctionalInterface
public interface ComponentFactory<S> {
    Object create(S spec, Components components);
}
