/** The command line of a model jar: {@code java -jar Model.jar sample|explain|info}. */
package org.alan.runtime.cli;
