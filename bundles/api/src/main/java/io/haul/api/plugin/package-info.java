/**
 * The plugin directory: every backend, strategy, handler and transport registered now, bound by its name
 * property, shared by the engine and the shell.
 */
@Export
@Version("1.0.0")
package io.haul.api.plugin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
