package io.haul.itests;

import org.junit.AssumptionViolatedException;
import org.junit.runner.Description;
import org.junit.runner.notification.Failure;
import org.junit.runner.notification.RunNotifier;
import org.junit.runners.model.InitializationError;
import org.ops4j.pax.exam.junit.PaxExam;

/**
 * Pax Exam, but a class whose {@link Requirements.HostNeeds} this host does not meet is skipped (with the
 * reason printed) without starting a framework. An assumption inside the framework cannot do this: Pax Exam
 * runs {@code @Before} and the tests in the framework and reports a failed assumption there as a pass.
 */
public class HaulExam extends PaxExam {

    private final Class<?> testClass;

    public HaulExam(Class<?> testClass) throws InitializationError {
        super(testClass);
        this.testClass = testClass;
    }

    @Override
    public void run(RunNotifier notifier) {
        String unmet = Requirements.unmet(testClass);
        if (unmet == null) {
            super.run(notifier);
            return;
        }
        System.out.println(testClass.getSimpleName() + ": skipped, " + unmet);
        for (Description test : getDescription().getChildren()) {
            notifier.fireTestStarted(test);
            notifier.fireTestAssumptionFailed(new Failure(test, new AssumptionViolatedException(unmet)));
            notifier.fireTestFinished(test);
        }
    }
}
