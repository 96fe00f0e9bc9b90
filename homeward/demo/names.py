"""Word lists for the synthetic demo data: names, streets and places.

Every person is a random combination of a common given name and a common surname, so no record describes
a real individual. The lists reflect the mix of communities in West Yorkshire (white British, Pakistani and
Bangladeshi, Indian, Eastern European, Black Caribbean and African, Chinese, Arab, Kurdish and others).
Addresses are invented street names with postcode districts of the right area; phone numbers use Ofcom's
ranges reserved for drama, which are never allocated to anyone.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- Given names, by naming tradition and sex ---------------------------------------------------------
# White British names differ by generation: a 14-year-old is rarely called Margaret, an 84-year-old rarely Jayden.
# YOUNG: born from about 1990; OLD: about 1955–1989; ELDER: before 1955.
BRITISH_YOUNG_F = _words(
    """
    Olivia Amelia Isla Ava Mia Ella Grace Lily Sophie Evie Ruby Chloe Jessica Emily Poppy Freya
    Holly Megan Lauren Bethany Courtney Paige Jade Shannon Leah Caitlin Abbie Keira Millie Ellie Tia
    Kayleigh Charlotte Hannah Amber Lacey Demi Summer Scarlett Libby Maisie Niamh Katie Georgia
    Molly Alisha Brooke Skye
    """
)
BRITISH_YOUNG_M = _words(
    """
    Oliver Jack Harry Charlie Thomas George Jacob Alfie Joshua James William Liam Kyle Callum Connor
    Jordan Bradley Reece Ryan Lewis Jayden Tyler Kieran Dylan Ethan Mason Logan Riley Archie Leo
    Jake Luke Nathan Aaron Daniel Matthew Owen Harvey Kai Brandon Cameron Declan Morgan Toby Finley
    Alex Corey
    """
)
# Born before about 1955.
BRITISH_ELDER_F = _words(
    """
    Margaret Dorothy Joan Doreen Irene Jean Barbara Sheila Kathleen Maureen Brenda Betty Edna Mavis
    Audrey Elsie Gladys Vera Hilda Marjorie Eileen Joyce Winifred Freda Muriel Phyllis
    """
)
BRITISH_ELDER_M = _words(
    """
    Kenneth Dennis Derek Roy Ronald Albert Harold Stanley Arthur Frank Walter Leslie Norman Ernest
    Geoffrey Eric Raymond Donald Gordon Brian Alan Peter Keith Cyril Wilfred Clifford
    """
)
BRITISH_OLD_F = _words(
    """
    Patricia Susan Christine Linda Janet Pauline Carol Elaine Sandra Julie Karen Tracey Lisa Michelle
    Joanne Angela Dawn Helen Deborah Nicola Sarah Claire Louise Amanda Rachel Gemma Kelly Emma Victoria
    Alison Jacqueline Diane Wendy Beverley
    """
)
BRITISH_OLD_M = _words(
    """
    John David Michael Robert Trevor Malcolm Graham Colin Paul Mark Andrew Stephen Gary Darren Lee
    Craig Wayne Dean Richard Christopher Simon Neil Martin Stuart Carl Shaun Jason Anthony Philip Ian
    Kevin Steven Nigel
    """
)
SOUTH_ASIAN_MUSLIM_F = _words(
    """
    Aisha Ayesha Fatima Maryam Zainab Amina Hafsa Khadija Safa Aleena Iqra Sana Nadia Samina Shazia
    Rubina Nasreen Saima Farah Mehreen Hira Alisha Anaya Inaya Zara Amira Hana Laiba Mahnoor Noor
    Parveen Razia Shabana Tahira Yasmin Zahra Rukhsana Sadia Rabia Sumaya
    """
)
SOUTH_ASIAN_MUSLIM_M = _words(
    """
    Mohammed Muhammad Ibrahim Yusuf Ali Hamza Bilal Imran Adnan Zain Ayaan Haris Usman Omar Tariq
    Asif Kashif Shahid Rizwan Zubair Arslan Faisal Irfan Junaid Nadeem Sajid Wasim Zeeshan Aqib
    Danyal Rayyan Musa Idris Abdul Khalid Nasir Rashid Saqib Waqas Yasir
    """
)
INDIAN_F = _words(
    """
    Priya Anjali Simran Jaspreet Harpreet Manpreet Navneet Kiran Pooja Neha Riya Asha Meena Sunita
    Gurpreet Amrit Divya Shreya Ishani Tanvi Sonia Reena Kamaljit Baljit Rupinder Nisha
    """
)
INDIAN_M = _words(
    """
    Arjun Rohan Vikram Rahul Amarjit Gurdeep Harjinder Jaswinder Kuldip Manjit Sandeep Sukhdev Ravi
    Anil Deepak Sanjay Nikhil Aarav Dev Karan Jasveer Tejinder Prakash Ranjit Suresh Vijay
    """
)
EAST_EUROPEAN_F = _words(
    """
    Natalia Aleksandra Zuzanna Julia Katarzyna Agnieszka Magdalena Oliwia Maja Wiktoria Ioana
    Andreea Elena Gabriela Roxana Daria Iveta Lenka Kristina Ieva Agne Laura Viktoria Anastasia Jana
    Monika Denisa Simona
    """
)
EAST_EUROPEAN_M = _words(
    """
    Jakub Kacper Szymon Mateusz Piotr Tomasz Pawel Krzysztof Marek Lukasz Andrei Alexandru Mihai
    Ionut Florin Marius Adrian Tomas Mantas Lukas Dominik Patrik Roman Milan Dawid Filip Bogdan
    Vasile
    """
)
CARIBBEAN_F = _words(
    """
    Shanice Tanisha Chantelle Keisha Aaliyah Jada Kiara Shania Destiny Tianna Maya Imani Jasmine
    Precious Nia Marcia Paulette Beverley Yvonne Sharon
    """
)
CARIBBEAN_M = _words(
    """
    Tyrone Jermaine Marcus Dwayne Kemar Andre Darnell Malachi Isaiah Elijah Josiah Tyreese Leon
    Delroy Winston Clive Lloyd Everton Junior Troy
    """
)
AFRICAN_F = _words(
    """
    Chiamaka Adaeze Ngozi Funmilayo Oluwaseun Abena Ama Akosua Nana Efua Hodan Amal Ayan Fadumo Hibo
    Sagal Helen Ruth Grace Blessing Esther Favour Mercy Tendai Rutendo Chipo Fatou
    """
)
AFRICAN_M = _words(
    """
    Chinedu Emeka Obinna Oluwadamilare Tobi Kwame Kofi Kwabena Yaw Kojo Abdirahman Abdullahi Mohamed
    Hassan Mahad Liban Yonas Dawit Samuel Daniel Emmanuel David Joseph Tatenda Tinashe Blessing
    Prince Moses
    """
)
CHINESE_F = _words(
    """
    Mei Xin Ying Li Hui Jing Wen Yan Lin Xiao Amy Jenny Grace Lucy
    """
)
CHINESE_M = _words(
    """
    Wei Jun Hao Ming Lei Jian Yang Tao Chen Bo Kevin Jason Eric Ben
    """
)
ARAB_F = _words(
    """
    Layla Mariam Rania Salma Huda Nour Dalia Reem Yara Lina Hala Jana
    """
)
ARAB_M = _words(
    """
    Ahmed Mahmoud Karim Omar Youssef Khaled Tarek Hussein Sami Walid Adel Nabil
    """
)
KURDISH_IRANIAN_F = _words(
    """
    Shirin Parisa Roya Leila Narges Shilan Rozh Dilan Avin Zhila
    """
)
KURDISH_IRANIAN_M = _words(
    """
    Reza Amir Dara Hiwa Kawa Rebwar Ahmad Soran Behrouz Arash
    """
)

# --- Surnames, by tradition ----------------------------------------------------------------------------
BRITISH_SURNAMES = _words(
    """
    Smith Jones Taylor Brown Wilson Walker Wood Robinson Thompson Wright Hall Green White Clarke
    Jackson Harrison Lee Turner Hill Ward Shaw Hirst Sykes Haigh Brook Crowther Holroyd Firth
    Greenwood Ackroyd Mitchell Atkinson Barker Booth Dawson Fletcher Gibson Hudson Lister Marshall
    Moore Naylor Parkin Pearson Ramsden Richardson Senior Stephenson Swift Whiteley Armitage Bentley
    Calvert Dyson Exley Fawcett Garside Heaton Illingworth Kershaw Lockwood Mellor Oldroyd Pickles
    Rhodes Sutcliffe Thornton Wadsworth Haworth Ibbotson Stead Bottomley Cooper Evans Hughes Kelly
    Morris Scott Stevens Murphy O'Brien Gallagher Doyle McCarthy Quinn Connolly Byrne
    """
)
SOUTH_ASIAN_MUSLIM_SURNAMES = _words(
    """
    Khan Hussain Ahmed Ali Akhtar Mahmood Iqbal Rashid Shah Bibi Begum Aslam Butt Javed Mirza
    Qureshi Riaz Saleem Sharif Younis Zaman Anwar Bashir Hanif Latif Malik Nawaz Parveen Rehman
    Siddique Uddin Miah Rahman Islam Chowdhury
    """
)
INDIAN_SURNAMES = _words(
    """
    Singh Kaur Patel Sharma Gill Sandhu Dhillon Sidhu Bains Johal Mistry Kumar Chauhan Mehta Parmar
    Rai Sahota Virdee Gupta Joshi
    """
)
EAST_EUROPEAN_SURNAMES = _words(
    """
    Nowak Kowalski Wisniewski Wojcik Kaminski Lewandowski Zielinski Szymanski Popescu Ionescu
    Dumitru Stan Constantin Balogh Horvath Kazlauskas Petrauskas Jankauskas Ozols Berzins Dvorak
    Novak Kovac Lakatos Olah
    """
)
CARIBBEAN_SURNAMES = _words(
    """
    Campbell Williams Brown Thomas Francis Reid Clarke Grant Morgan Henry Lewis Richards Samuels
    Bailey Gordon Forbes McKenzie Spencer Edwards Dacosta
    """
)
AFRICAN_SURNAMES = _words(
    """
    Okafor Adeyemi Okonkwo Eze Balogun Adebayo Mensah Owusu Boateng Asante Osei Mohamed Abdi Farah
    Hassan Warsame Tesfaye Haile Moyo Ncube Sibanda Mutasa Diallo Kamara
    """
)
CHINESE_SURNAMES = _words(
    """
    Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Lin Wong Chan
    """
)
ARAB_SURNAMES = _words(
    """
    Al-Hassan Haddad Mansour Saleh Nasser Khalil Hamdan Darwish Aziz Yousef
    """
)
KURDISH_IRANIAN_SURNAMES = _words(
    """
    Ahmadi Mohammadi Karimi Hosseini Rahimi Rasul Aziz Barzani Salih Amin
    """
)

# Each naming tradition: (female given names, male given names, surnames, usual first language besides English).
TRADITIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "british": (BRITISH_YOUNG_F, BRITISH_YOUNG_M, BRITISH_SURNAMES, ()),
    "south_asian_muslim": (
        SOUTH_ASIAN_MUSLIM_F,
        SOUTH_ASIAN_MUSLIM_M,
        SOUTH_ASIAN_MUSLIM_SURNAMES,
        ("Urdu", "Punjabi", "Bengali"),
    ),
    "indian": (INDIAN_F, INDIAN_M, INDIAN_SURNAMES, ("Punjabi", "Gujarati", "Hindi")),
    "east_european": (
        EAST_EUROPEAN_F,
        EAST_EUROPEAN_M,
        EAST_EUROPEAN_SURNAMES,
        ("Polish", "Romanian", "Lithuanian", "Slovak", "Czech"),
    ),
    "caribbean": (CARIBBEAN_F, CARIBBEAN_M, CARIBBEAN_SURNAMES, ()),
    "african": (
        AFRICAN_F,
        AFRICAN_M,
        AFRICAN_SURNAMES,
        ("Somali", "Tigrinya", "Yoruba", "Igbo", "Twi", "Shona"),
    ),
    "chinese": (CHINESE_F, CHINESE_M, CHINESE_SURNAMES, ("Cantonese", "Mandarin")),
    "arab": (ARAB_F, ARAB_M, ARAB_SURNAMES, ("Arabic",)),
    "kurdish_iranian": (
        KURDISH_IRANIAN_F,
        KURDISH_IRANIAN_M,
        KURDISH_IRANIAN_SURNAMES,
        ("Kurdish", "Farsi", "Pashto"),
    ),
}

# Census ethnicity code → naming traditions and their weights. Mixed heritage draws from both sides.
ETHNICITY_TRADITIONS: dict[str, tuple[tuple[str, int], ...]] = {
    "W1": (("british", 1),),
    "W2": (("british", 1),),
    "W3": (("british", 1),),
    "W4": (("east_european", 1),),
    "W9": (("east_european", 4), ("british", 1)),
    "M1": (("caribbean", 1), ("british", 1)),
    "M2": (("african", 1), ("british", 1)),
    "M3": (("south_asian_muslim", 1), ("british", 1)),
    "M9": (("british", 2), ("caribbean", 1), ("arab", 1)),
    "A1": (("indian", 1),),
    "A2": (("south_asian_muslim", 1),),
    "A3": (("south_asian_muslim", 1),),
    "A4": (("chinese", 1),),
    "A9": (("indian", 1), ("south_asian_muslim", 1)),
    "B1": (("caribbean", 1),),
    "B2": (("african", 1),),
    "B9": (("caribbean", 1), ("african", 1)),
    "O1": (("arab", 1),),
    "O9": (("kurdish_iranian", 2), ("arab", 1)),
}

# Short forms a reporting person or friend may use; stored as nickname aliases.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Alexander": ("Alex", "Xander"),
    "Alex": ("Al",),
    "Amelia": ("Millie",),
    "Andrew": ("Andy",),
    "Anthony": ("Tony", "Ant"),
    "Bethany": ("Beth",),
    "Bradley": ("Brad",),
    "Callum": ("Cal",),
    "Charlotte": ("Charlie", "Lottie"),
    "Christopher": ("Chris",),
    "Daniel": ("Danny", "Dan"),
    "Dominik": ("Dom",),
    "Elizabeth": ("Lizzie", "Beth"),
    "Emily": ("Em",),
    "Gabriela": ("Gabi",),
    "Hamza": ("Hamz",),
    "Ibrahim": ("Ibby",),
    "Jacob": ("Jake",),
    "Jakub": ("Kuba",),
    "James": ("Jim", "Jamie"),
    "Jasmine": ("Jas",),
    "Jaspreet": ("Jas",),
    "Jayden": ("Jay",),
    "Jessica": ("Jess",),
    "Joshua": ("Josh",),
    "Katarzyna": ("Kasia",),
    "Kayleigh": ("Kay",),
    "Keisha": ("Kiki",),
    "Kieran": ("Kez",),
    "Malachi": ("Kai",),
    "Margaret": ("Peggy", "Maggie"),
    "Matthew": ("Matt",),
    "Michael": ("Mick", "Mike"),
    "Mohammed": ("Mo",),
    "Muhammad": ("Mo",),
    "Nathan": ("Nate",),
    "Natalia": ("Nat",),
    "Nicola": ("Nicky",),
    "Oliver": ("Ollie",),
    "Olivia": ("Liv",),
    "Patricia": ("Pat",),
    "Peter": ("Pete",),
    "Rebecca": ("Becky",),
    "Richard": ("Rich",),
    "Robert": ("Bob", "Rob"),
    "Samuel": ("Sam",),
    "Shanice": ("Shan",),
    "Stephen": ("Steve",),
    "Thomas": ("Tom", "Tommy"),
    "Tyrone": ("Ty",),
    "Tyreese": ("Reese",),
    "Victoria": ("Vicky",),
    "William": ("Will", "Billy"),
    "Yusuf": ("Yus",),
    "Zainab": ("Zee",),
    "Zeeshan": ("Zee",),
}

# Spellings a caller might give for a name: real forces meet these on every shift.
SPELLING_VARIANTS: dict[str, tuple[str, ...]] = {
    "Mohammed": ("Muhammad", "Mohammad", "Mohamed", "Mohamad"),
    "Muhammad": ("Mohammed", "Muhammed"),
    "Mohamed": ("Mohammed", "Mohamad"),
    "Aisha": ("Ayesha", "Aysha"),
    "Ayesha": ("Aisha",),
    "Katie": ("Katy", "Katey"),
    "Kayleigh": ("Kaylee", "Kayley"),
    "Courtney": ("Cortney",),
    "Connor": ("Conor", "Conner"),
    "Callum": ("Calum",),
    "Reece": ("Rhys", "Reese"),
    "Jayden": ("Jaden", "Jaiden"),
    "Bradley": ("Bradly",),
    "Stephen": ("Steven",),
    "Stevens": ("Stephens",),
    "Smith": ("Smyth",),
    "Thompson": ("Thomson", "Tompson"),
    "Hussain": ("Hussein", "Husain"),
    "Ahmed": ("Ahmad", "Ahmet"),
    "Akhtar": ("Akthar",),
    "Begum": ("Begun",),
    "Chowdhury": ("Choudhury", "Chaudhry"),
    "Rahman": ("Rehman",),
    "Qureshi": ("Kureshi",),
    "Siddique": ("Siddiqui",),
    "Sutcliffe": ("Sutcliff",),
    "Holroyd": ("Holroyde",),
    "Ackroyd": ("Akroyd",),
    "Crowther": ("Crowder",),
    "Greenwood": ("Greenward",),
    "Shannon": ("Shanon",),
    "Leah": ("Lea", "Leigh"),
    "Niamh": ("Neve", "Neave"),
    "Kieran": ("Kieron", "Ciaran"),
    "Zara": ("Zarah",),
    "Shanice": ("Shaniece",),
    "Tyrone": ("Tyron",),
    "Jermaine": ("Germaine",),
    "Marcus": ("Markus",),
    "Lukasz": ("Lucas",),
    "Wisniewski": ("Wisnewski",),
    "Kowalski": ("Kowalsky",),
    "Natalia": ("Natalie", "Natalya"),
    "Aleksandra": ("Alexandra",),
    "Ngozi": ("Ngozie",),
    "Okafor": ("Okafur",),
    "Abdullahi": ("Abdulahi",),
    "Abdirahman": ("Abdurahman",),
    "Gallagher": ("Gallager",),
    "O'Brien": ("OBrien",),
    "McCarthy": ("MacCarthy",),
    "Campbell": ("Cambell",),
    "McKenzie": ("MacKenzie",),
    "Patel": ("Patil",),
    "Jaspreet": ("Jasprit",),
    "Gurpreet": ("Gurprit",),
    "Harpreet": ("Harprit",),
}

# --- Places ------------------------------------------------------------------------------------------------
# Areas of each district with a postcode district that fits them. Several are real neighbourhoods (the
# addresses on them are invented); the numbers and streets are made up.
DISTRICT_AREAS: dict[str, tuple[tuple[str, str], ...]] = {
    "Bradford": (
        ("Manningham, Bradford", "BD8"),
        ("Girlington, Bradford", "BD8"),
        ("Keighley", "BD21"),
        ("Shipley", "BD18"),
        ("Bingley", "BD16"),
        ("Idle, Bradford", "BD10"),
        ("Eccleshill, Bradford", "BD2"),
        ("Wibsey, Bradford", "BD6"),
        ("Buttershaw, Bradford", "BD6"),
        ("Holme Wood, Bradford", "BD4"),
        ("Thornton, Bradford", "BD13"),
        ("Little Horton, Bradford", "BD5"),
        ("Bradford", "BD1"),
        ("Bradford", "BD3"),
        ("Allerton, Bradford", "BD15"),
    ),
    "Calderdale": (
        ("Halifax", "HX1"),
        ("Ovenden, Halifax", "HX3"),
        ("Illingworth, Halifax", "HX2"),
        ("Elland", "HX5"),
        ("Sowerby Bridge", "HX6"),
        ("Hebden Bridge", "HX7"),
        ("Brighouse", "HD6"),
        ("King Cross, Halifax", "HX1"),
        ("Mixenden, Halifax", "HX2"),
        ("Park Ward, Halifax", "HX1"),
    ),
    "Kirklees": (
        ("Huddersfield", "HD1"),
        ("Lindley, Huddersfield", "HD3"),
        ("Almondbury, Huddersfield", "HD5"),
        ("Marsh, Huddersfield", "HD1"),
        ("Holmfirth", "HD9"),
        ("Marsden", "HD7"),
        ("Dewsbury", "WF13"),
        ("Batley", "WF17"),
        ("Heckmondwike", "WF16"),
        ("Mirfield", "WF14"),
        ("Deighton, Huddersfield", "HD2"),
        ("Berry Brow, Huddersfield", "HD4"),
        ("Ravensthorpe, Dewsbury", "WF13"),
    ),
    "Leeds": (
        ("Armley, Leeds", "LS12"),
        ("Beeston, Leeds", "LS11"),
        ("Chapeltown, Leeds", "LS7"),
        ("Harehills, Leeds", "LS8"),
        ("Headingley, Leeds", "LS6"),
        ("Holbeck, Leeds", "LS11"),
        ("Seacroft, Leeds", "LS14"),
        ("Gipton, Leeds", "LS9"),
        ("Middleton, Leeds", "LS10"),
        ("Morley", "LS27"),
        ("Pudsey", "LS28"),
        ("Horsforth", "LS18"),
        ("Roundhay, Leeds", "LS8"),
        ("Bramley, Leeds", "LS13"),
        ("Hunslet, Leeds", "LS10"),
        ("Leeds", "LS1"),
        ("Burley, Leeds", "LS4"),
        ("Otley", "LS21"),
        ("Garforth", "LS25"),
        ("Kirkstall, Leeds", "LS5"),
    ),
    "Wakefield": (
        ("Wakefield", "WF1"),
        ("Eastmoor, Wakefield", "WF1"),
        ("Lupset, Wakefield", "WF2"),
        ("Horbury", "WF4"),
        ("Castleford", "WF10"),
        ("Pontefract", "WF8"),
        ("Normanton", "WF6"),
        ("Ossett", "WF5"),
        ("Featherstone", "WF7"),
        ("Hemsworth", "WF9"),
        ("Knottingley", "WF11"),
        ("Airedale, Castleford", "WF10"),
    ),
}
# Areas for councils outside the force, used only in their postal addresses.
OUT_OF_AREA = (("Manchester", "M1"), ("Preston", "PR1"))

STREET_FIRST = _words(
    """
    Ash Beech Birch Cedar Elm Hawthorn Holly Larch Maple Oak Rowan Willow Acre Airedale Albert
    Albion Back Bank Barley Bell Brook Castle Chapel Church Clough Commercial Cross Dale Fern Field
    Fold Gledhow Green Hall Heath High Hill Holme Ing Kirk Lister Low Manor Marsh Mill Moor Nab New
    Newlands North Oakwood Park Pennine Priory Providence Queen Raven Rose Royd School Shay Spring
    Station Stone Sun Thorn Town Victoria Wade Well West Wharf Wood York
    """
)
STREET_SUFFIX = _words(
    """
    Road Street Lane Avenue Grove Terrace Crescent Close Drive Mount View Place Gardens Way Walk
    Court Row Fold Rise Bank
    """
)
# Names for care homes, hostels and schools.
HOUSE_NAMES = _words(
    """
    Beech Birch Briar Cedar Elder Fern Hazel Heather Holly Juniper Larch Linden Maple Moor Oak Pine
    Rowan Sycamore Willow Aspen Bracken Clover Meadow Ridge Brook Fell Heath Harbour Lark Swallow
    Kestrel Wren
    """
)
HOUSE_SUFFIX = _words(
    """
    House Lodge Cottage View Court Lodge House Grange Croft Place
    """
)
SCHOOL_SUFFIX = ("Academy", "High School", "Community College", "Grammar School", "Park Academy")

# Ofcom keeps these numbers for drama; they never reach a real phone.
MOBILE_PREFIX = "07700 900"
LANDLINE_PREFIX = "0113 496 0"

# --- Free text ---------------------------------------------------------------------------------------------
BUILDS = _words(
    """
    slim slim medium medium medium stocky heavy athletic
    """
)
HAIR_COLOURS = ("dark brown", "brown", "light brown", "black", "blonde", "fair", "ginger", "auburn")
HAIR_STYLES = (
    "short",
    "shoulder-length",
    "long",
    "cropped",
    "tied back",
    "curly",
    "shaved at the sides",
    "in braids",
)
OLD_HAIR = ("grey", "white", "thinning grey", "short grey", "balding, grey at the sides")
EYES = _words(
    """
    brown brown blue green hazel grey
    """
)
FACIAL_HAIR = (
    "clean-shaven",
    "clean-shaven",
    "light stubble",
    "short beard",
    "full beard",
    "moustache",
    "goatee",
)
MARKS = (
    "Small scar above left eyebrow",
    "Tattoo of a rose on right forearm",
    "Pierced nose (stud)",
    "Tattoo of initials on left hand",
    "Scar on chin",
    "Birthmark on neck",
    "Multiple ear piercings",
    "Tattoo sleeve on left arm",
    "Self-harm scars on forearms",
    "Chipped front tooth",
    "Tattoo of a star behind right ear",
)
UPPER_CLOTHES = (
    "black hooded top",
    "grey North Face jacket",
    "navy school blazer",
    "white T-shirt",
    "black puffer jacket",
    "red hoodie",
    "green parka",
    "black leather jacket",
    "blue denim jacket",
    "grey tracksuit top",
    "beige raincoat",
    "purple fleece",
    "cardigan and blouse",
    "checked shirt",
    "camouflage jacket",
)
LOWER_CLOTHES = (
    "black tracksuit bottoms",
    "blue jeans",
    "grey joggers",
    "black leggings",
    "school trousers",
    "black jeans",
    "navy trousers",
    "khaki cargo trousers",
    "a pleated skirt",
    "pyjama bottoms",
)
SHOES = (
    "white trainers",
    "black Nike trainers",
    "black school shoes",
    "sliders",
    "walking boots",
    "slippers",
    "grey trainers",
    "black boots",
)
