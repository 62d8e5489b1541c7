/// One executable step of a plan: every pointer and size is fixed when the plan is built, so running allocates nothing.
protocol PlanStep: AnyObject {
    func run()
}
