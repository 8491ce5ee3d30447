package dev.flowkit.runtime.compiler;

import com.google.inject.Binder;
import com.google.inject.Inject;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.MapBinder;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The seam between specs and code: one Guice map from spec class to the factory of its component.
 * Flowkit's own components are bound in FlowkitModule; a user binds more in their own module with
 * {@link #bind}, without touching Flowkit.
 */
public final class Components {
    private final Map<Class<?>, ComponentFactory<?>> factories;

    @Inject
    Components(Map<Class<?>, ComponentFactory<?>> factories) {
        this.factories = factories;
    }

    /** Adds (in a Guice module's configure) the factory for one spec type. */
    public static <S> void bind(Binder binder, Class<S> specType, ComponentFactory<? super S> factory) {
        MapBinder.newMapBinder(binder, new TypeLiteral<Class<?>>() {}, new TypeLiteral<ComponentFactory<?>>() {})
                .addBinding(specType).toInstance(factory);
    }

    /** The component of kind [kind] (e.g. Schedule.class) that [spec] declares. */
    @SuppressWarnings("unchecked")
    public <C> C resolve(Object spec, Class<C> kind) {
        ComponentFactory<Object> factory = (ComponentFactory<Object>) factories.get(spec.getClass());
        if (factory == null) {
            throw new IllegalStateException("no component is bound for " + spec.getClass().getName()
                    + "; bind one with Components.bind(binder, " + spec.getClass().getSimpleName()
                    + ".class, factory) in a Guice module passed to Flowkit. Bound spec types: " + boundTypes());
        }
        Object component = factory.create(spec, this);
        if (!kind.isInstance(component)) {
            throw new IllegalStateException("the component bound for " + spec.getClass().getSimpleName() + " is a "
                    + component.getClass().getName() + ", not a " + kind.getSimpleName());
        }
        return (C) component;
    }

    private String boundTypes() {
        return factories.keySet().stream().map(Class::getSimpleName).collect(Collectors.toCollection(TreeSet::new)).toString();
    }
}
