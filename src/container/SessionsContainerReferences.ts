import { Descriptor, IConfigurable, IReferenceable, ReferenceException } from 'pip-services3-commons-nodex';
import { ContainerConfig, ContainerReferences } from 'pip-services3-container-nodex';

import { ApplicationErrors } from '../logic/ApplicationErrors';

/**
 * The container's references, built as the toolkit builds them, except that a component's configure
 * error keeps its code and gains details.component, so a failed start names the wrong setting
 * (the toolkit's said "Failed to obtain reference": docs/differences.md).
 */
export class SessionsContainerReferences extends ContainerReferences {
    public putFromConfig(config: ContainerConfig): void {
        for (const componentConfig of config) {
            const locator = componentConfig.descriptor;
            if (locator == null) {
                // A component named by its type alone: the toolkit's way is kept.
                super.putFromConfig([componentConfig] as ContainerConfig);
                continue;
            }
            const factory = this._builder.findFactory(locator);
            const component: unknown = this._builder.create(locator, factory);
            if (component == null) throw new ReferenceException('', locator);
            this.put(this._builder.clarifyLocator(locator, factory), component);
            try {
                if (SessionsContainerReferences.isConfigurable(component)) component.configure(componentConfig.config);
            } catch (err) {
                if (ApplicationErrors.isApplicationException(err)) err.withDetails('component', locator.toString());
                throw err;
            }
            if (SessionsContainerReferences.isFactory(component)) component.setReferences(this);
        }
    }

    private static isConfigurable(component: unknown): component is IConfigurable {
        return typeof (component as Partial<IConfigurable>).configure === 'function';
    }

    /** A factory among the components, which the toolkit hands the references at once. */
    private static isFactory(component: unknown): component is IReferenceable {
        const candidate = component as { canCreate?: unknown; create?: unknown; setReferences?: unknown };
        return typeof candidate.canCreate === 'function' && typeof candidate.create === 'function'
            && typeof candidate.setReferences === 'function';
    }

    /** The descriptor of the component an error came from, if it was raised while configuring. */
    public static componentOf(err: unknown): Descriptor | null {
        const name = ApplicationErrors.isApplicationException(err) ? err.details?.getAsNullableString('component') : null;
        return name ? Descriptor.fromString(name) : null;
    }
}
