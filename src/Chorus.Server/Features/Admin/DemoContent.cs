namespace Chorus.Server.Features.Admin;

/// <summary>Word lists for the demo organization. Fictional people and companies.</summary>
static class DemoContent
{
    public static readonly string[] FirstNames =
    [
        "Amara", "Bilal", "Camille", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kavya", "Luca", "Maya", "Nikolai",
        "Olu", "Priya", "Quinn", "Rafael", "Sofia", "Tomás", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zara", "Aiko", "Bruno",
        "Chloé", "Diego", "Emeka", "Freya", "Gabriel", "Hana", "Ivan", "Jasmine", "Kwame", "Leila", "Mateo", "Nadia", "Oskar",
        "Paula", "Ravi", "Sven", "Tara", "Ulrich", "Valentina", "Wiktor", "Yara", "Zoltan", "Anouk", "Björn", "Carmen", "Dara",
        "Eitan", "Fatima", "Gustav", "Helga", "Ibrahim", "Jun", "Kofi", "Lena", "Marek", "Noor", "Orla", "Pedro", "Rosa", "Sami",
    ];

    public static readonly string[] LastNames =
    [
        "Abara", "Berg", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ivanova", "Jensen", "Kowalski", "Laurent",
        "Mensah", "Nakamura", "Okafor", "Petrov", "Quintero", "Rossi", "Santos", "Takahashi", "Ueda", "Varga", "Weber", "Xu",
        "Yilmaz", "Zimmermann", "Andersson", "Bianchi", "Chen", "Da Silva", "Engel", "Fontaine", "Gupta", "Horvat", "Iyer",
        "Jovanović", "Kim", "Lindqvist", "Moreau", "Novak", "O'Brien", "Park", "Quist", "Ramos", "Schmidt", "Tanaka", "Urban",
        "Vasquez", "Wójcik", "Yamamoto", "Zhou", "Adeyemi", "Bauer", "Costa", "Dahl", "Ferreira", "Greene", "Holm", "Ibarra",
    ];

    public static readonly string[] Locations = ["Berlin", "Lisbon", "Toronto", "Singapore", "Austin", "Nairobi", "Remote", "London", "Warsaw"];

    public sealed record Department(string Name, string HeadTitle, string ManagerTitle, string[] Titles, string[] Topics, string[] Lines);

    public static readonly Department[] Departments =
    [
        new("Engineering", "VP Engineering", "Engineering Manager", ["Software Engineer", "Senior Software Engineer", "Staff Engineer", "SRE", "QA Engineer"],
            ["release", "incident", "platform", "security", "devex"],
            ["Shipped the new **search indexer** to production — p99 down from 180 ms to 40 ms. #release",
             "Postmortem for Tuesday's outage is up. Short version: a config flag, no data lost. Thanks to everyone who jumped in. #incident",
             "Reminder: rotate your API keys before Friday. `chorus tokens list` shows which ones are old. #security",
             "Pairing session on the build pipeline at 14:00 — anyone welcome. We'll try to get CI under 10 minutes. #devex",
             "Migrated the billing service to the new platform:\n- zero downtime\n- 30% less memory\n- one fewer pager alert #platform",
             "Does anyone have experience with PostgreSQL logical replication at scale? Planning a migration. #platform",
             "Code freeze for the 4.2 release starts Thursday. Get your reviews in! #release"]),
        new("Product", "Chief Product Officer", "Group Product Manager", ["Product Manager", "Senior Product Manager", "Product Analyst"],
            ["roadmap", "customers", "launch", "research"],
            ["Roadmap review for next quarter is Thursday. Top three themes: onboarding, mobile, integrations. #roadmap",
             "Talked to five customers this week. The number one ask: *better notifications*. #customers",
             "Beta for the new dashboard opens Monday. Sign up your favourite accounts! #launch",
             "Survey results are in: 72% of admins want SSO on day one. #research",
             "We're sunsetting the legacy export in March. Migration guide coming. #roadmap"]),
        new("Design", "Head of Design", "Design Lead", ["Product Designer", "UX Researcher", "Content Designer"],
            ["design", "accessibility", "research"],
            ["New design system tokens are live — dark mode comes for free now. #design",
             "Ran an accessibility audit on checkout: 14 issues, 11 already fixed. #accessibility",
             "Usability study recruiting: 30 minutes, any department, coffee on us. #research",
             "Sharing the new illustration style guide. Feedback welcome before Friday! #design"]),
        new("Sales", "VP Sales", "Sales Director", ["Account Executive", "Sales Engineer", "Account Manager", "SDR"],
            ["deals", "customers", "q4"],
            ["Closed **Northwind Logistics** — our biggest deal this year! #deals",
             "Pipeline review: we're at 112% of target for the quarter. #q4",
             "Anyone have a reference customer in healthcare? Prospect asked for one. #customers",
             "Great call with Contoso's CIO today. They want a pilot in January. #deals"]),
        new("Marketing", "CMO", "Marketing Director", ["Marketing Manager", "Content Strategist", "Brand Designer", "Growth Marketer"],
            ["campaign", "launch", "events"],
            ["Webinar registrations passed 1,200. Thanks for sharing! #campaign",
             "Booth is booked for the spring trade fair. Who wants to come? #events",
             "New case study is live: how a retailer cut onboarding time in half. #customers",
             "Launch email goes out Tuesday 09:00 CET. Final copy review today. #launch"]),
        new("Customer Success", "VP Customer Success", "Support Manager", ["Customer Success Manager", "Support Engineer", "Onboarding Specialist"],
            ["customers", "support", "onboarding"],
            ["Response time this week: median 11 minutes. Best ever! #support",
             "Onboarded 14 new customers this month. Template for kickoff calls is in the wiki. #onboarding",
             "A customer asked how to bulk-import users. Is there a doc we can share? #support",
             "NPS is up 6 points since we started weekly office hours. #customers"]),
        new("Finance", "CFO", "Finance Manager", ["Financial Analyst", "Accountant", "Controller"],
            ["budget", "q4", "expenses"],
            ["Budget planning templates are out. Please return them by the 15th. #budget",
             "Reminder: expense reports for last month close Friday. #expenses",
             "Q3 close is done, two days early. Thank you all! #q4"]),
        new("People", "Chief People Officer", "People Partner Lead", ["People Partner", "Recruiter", "Learning Specialist"],
            ["hiring", "wellbeing", "onboarding", "kudos"],
            ["We're hiring 12 engineers this quarter. Referrals get a bonus! #hiring",
             "Mental health day on the 20th — the whole company is off. Enjoy it. #wellbeing",
             "Welcome to our 9 new starters this week! Say hi. #onboarding",
             "Learning budget reset: €1,000 per person for the year. #wellbeing"]),
        new("Operations", "COO", "Operations Manager", ["Operations Analyst", "IT Specialist", "Facilities Coordinator"],
            ["it", "office", "security"],
            ["Laptop refresh starts next week. Book your slot in the portal. #it",
             "The Lisbon office opens on the 3rd. Desks are bookable now. #office",
             "Phishing test results: 4% clicked, down from 11%. Well done. #security",
             "Wi-Fi on floor 3 gets upgraded Saturday — expect short outages. #it"]),
        new("Legal", "General Counsel", "Legal Manager", ["Counsel", "Paralegal", "Privacy Officer"],
            ["privacy", "compliance"],
            ["Updated data processing agreement template is in the wiki. #privacy",
             "SOC 2 audit kicks off Monday. Expect a few evidence requests. #compliance",
             "Reminder: don't paste customer data into external tools. #privacy"]),
    ];

    public static readonly string[] CompanyLines =
    [
        "All-hands on Thursday at 16:00. Questions welcome in advance! #allhands",
        "Happy Friday everyone! What was your win this week? #kudos",
        "Huge thanks to {mention} for helping me untangle the quarterly report. #kudos",
        "Coffee chat anyone? I'm new here and would love to meet people from other teams. #onboarding",
        "Our volunteering day raised €8,400 for the food bank. #community",
        "Sustainability report is out: 38% lower travel emissions year over year. #sustainability",
        "Lunch & learn next Wednesday: *writing clearly at work*. #learning",
        "Who's going to the summer party? Please RSVP by Monday. #events",
        "Is there a good guide for setting up the VPN on Linux? #it",
        "Just passed my 5-year anniversary here. Time flies! #milestones",
        "Read this great piece on remote collaboration: https://example.org/remote-work #learning",
        "Quick poll for {mention}: should we move the standup to 9:30? #team",
    ];

    public static readonly string[] Replies =
    [
        "Great news, congrats!", "Thanks for sharing this.", "Count me in 🙌", "+1, this is really helpful.",
        "Could you share the slides afterwards?", "I can help with that — ping me.", "Nice work, team!", "Agreed.",
        "Is there a recording?", "Love this.", "{mention} you might want to see this.", "Following — interested in the answer too.",
        "We had the same question last quarter; the wiki page has a checklist.", "Thank you! This saved me an hour.",
        "What's the timeline?", "Happy to review.", "Brilliant 🎉", "Let's discuss at the next sync.",
    ];

    public static readonly string[] ShareComments = ["Worth a read.", "Sharing with my team.", "This!", "", "", "Important for everyone in {dept}."];
}
