/// The words the demo catalog is made of: categories with their own brands, product
/// nouns and sizes, plus colours and materials, each with a Chinese rendering (about one
/// product in ten gets a Chinese title, as many of our users' catalogs do).
enum DemoVocabulary {
    struct Category {
        let name: String
        let chinese: String
        let nouns: [(String, String)]
        let brands: [String]
        let sizes: [String]
        let priceRange: ClosedRange<Double>
    }

    static let categories: [Category] = [
        Category(name: "Footwear", chinese: "鞋类", nouns: [("Running Shoes", "跑鞋"), ("Trail Shoes", "越野跑鞋"), ("Sneakers", "运动鞋"), ("Hiking Boots", "登山靴")],
                 brands: ["Stridex", "Aerolite", "Kestrel", "Norvik", "Pacefield", "Trailborn"],
                 sizes: ["EU 38", "EU 39", "EU 40", "EU 41", "EU 42", "EU 43", "EU 44", "EU 45"], priceRange: 39...189),
        Category(name: "Apparel", chinese: "服装", nouns: [("T-Shirt", "T恤"), ("Hoodie", "连帽衫"), ("Rain Jacket", "防雨夹克"), ("Polo Shirt", "Polo衫")],
                 brands: ["Northloom", "Ashgrove", "Veldt & Co", "Maribel", "Urbanist", "Tidewear"],
                 sizes: ["XS", "S", "M", "L", "XL", "XXL"], priceRange: 12...149),
        Category(name: "Bags", chinese: "箱包", nouns: [("Backpack", "双肩包"), ("Laptop Bag", "电脑包"), ("Duffel Bag", "旅行袋"), ("Tote Bag", "托特包")],
                 brands: ["Packwell", "Roamly", "Cartograph", "Hollis", "Summitgear"],
                 sizes: ["15 L", "20 L", "25 L", "30 L", "40 L"], priceRange: 19...229),
        Category(name: "Kitchen", chinese: "厨房用品", nouns: [("Frying Pan", "煎锅"), ("Saucepan", "炖锅"), ("Wok", "炒锅"), ("Chef's Knife", "厨师刀")],
                 brands: ["Ferrocast", "Kochwerk", "Silvana", "Hearthline", "Tamaki"],
                 sizes: ["20 cm", "24 cm", "26 cm", "28 cm", "30 cm"], priceRange: 15...179),
        Category(name: "Drinkware", chinese: "杯具", nouns: [("Coffee Mug", "咖啡杯"), ("Water Bottle", "水杯"), ("Travel Tumbler", "随行杯"), ("Teapot", "茶壶")],
                 brands: ["Brewbird", "Aquila", "Kettleby", "Sipwise", "Morrow"],
                 sizes: ["300 ml", "350 ml", "500 ml", "750 ml", "1 L"], priceRange: 6...69),
        Category(name: "Audio", chinese: "音频设备", nouns: [("Wireless Headphones", "无线耳机"), ("Earbuds", "入耳式耳机"), ("Bluetooth Speaker", "蓝牙音箱"), ("Soundbar", "回音壁")],
                 brands: ["Sonique", "Auralis", "Decibelle", "Quietwave", "Lumen Audio"],
                 sizes: ["Compact", "Standard", "Pro", "Max"], priceRange: 25...399),
        Category(name: "Lighting", chinese: "照明", nouns: [("Desk Lamp", "台灯"), ("Floor Lamp", "落地灯"), ("Pendant Light", "吊灯"), ("LED Strip", "LED灯带")],
                 brands: ["Lumora", "Brightside", "Nordlys", "Candela", "Halcyon"],
                 sizes: ["Small", "Medium", "Large", "2 m", "5 m"], priceRange: 14...249),
        Category(name: "Furniture", chinese: "家具", nouns: [("Office Chair", "办公椅"), ("Bookshelf", "书架"), ("Side Table", "边桌"), ("Standing Desk", "升降桌")],
                 brands: ["Oakhaven", "Fjordline", "Modulo", "Birchwood", "Linea"],
                 sizes: ["60 cm", "80 cm", "100 cm", "120 cm", "140 cm"], priceRange: 49...699),
        Category(name: "Bedding", chinese: "床上用品", nouns: [("Duvet Cover", "被套"), ("Bed Sheet Set", "床单套件"), ("Pillow", "枕头"), ("Weighted Blanket", "重力毯")],
                 brands: ["Dreamloft", "Slumberly", "Linenhaus", "Cloudnest", "Somna"],
                 sizes: ["Single", "Double", "Queen", "King"], priceRange: 15...199),
        Category(name: "Fitness", chinese: "健身器材", nouns: [("Yoga Mat", "瑜伽垫"), ("Dumbbell Set", "哑铃套装"), ("Resistance Band", "弹力带"), ("Jump Rope", "跳绳")],
                 brands: ["Corefit", "Vantage", "Pulsewell", "Ironleaf", "Zenflex"],
                 sizes: ["Light", "Medium", "Heavy", "4 mm", "6 mm", "10 kg", "20 kg"], priceRange: 8...249),
        Category(name: "Phone Accessories", chinese: "手机配件", nouns: [("Phone Case", "手机壳"), ("Screen Protector", "屏幕保护膜"), ("Charging Cable", "充电线"), ("Power Bank", "充电宝")],
                 brands: ["Shieldon", "Voltix", "Casecraft", "Amplo", "Nimbus"],
                 sizes: ["6.1 in", "6.7 in", "1 m", "2 m", "10000 mAh", "20000 mAh"], priceRange: 5...89),
        Category(name: "Watches", chinese: "手表", nouns: [("Smartwatch Band", "智能手表表带"), ("Analog Watch", "石英手表"), ("Dive Watch", "潜水表"), ("Wall Clock", "挂钟")],
                 brands: ["Tempora", "Horologe", "Minutiae", "Chronal", "Sekundo"],
                 sizes: ["38 mm", "40 mm", "42 mm", "44 mm", "30 cm"], priceRange: 12...459),
        Category(name: "Eyewear", chinese: "眼镜", nouns: [("Sunglasses", "太阳镜"), ("Reading Glasses", "老花镜"), ("Ski Goggles", "滑雪镜"), ("Blue Light Glasses", "防蓝光眼镜")],
                 brands: ["Solara", "Clearview", "Opticus", "Glint", "Polaris"],
                 sizes: ["Narrow", "Medium", "Wide"], priceRange: 9...219),
        Category(name: "Stationery", chinese: "文具", nouns: [("Notebook", "笔记本"), ("Fountain Pen", "钢笔"), ("Planner", "计划本"), ("Sketchbook", "素描本")],
                 brands: ["Papyra", "Inkwell", "Quillon", "Leafnote", "Marginalia"],
                 sizes: ["A6", "A5", "A4", "B5"], priceRange: 3...119),
        Category(name: "Pet Supplies", chinese: "宠物用品", nouns: [("Dog Bed", "狗窝"), ("Cat Tree", "猫爬架"), ("Pet Bowl", "宠物碗"), ("Dog Leash", "狗绳")],
                 brands: ["Pawsome", "Whiskerly", "Barkley", "Furnest", "Tailwind Pets"],
                 sizes: ["XS", "S", "M", "L", "XL"], priceRange: 6...179),
        Category(name: "Garden", chinese: "园艺", nouns: [("Plant Pot", "花盆"), ("Garden Hose", "花园水管"), ("Pruning Shears", "修枝剪"), ("Watering Can", "洒水壶")],
                 brands: ["Verdance", "Greenhand", "Terracotta & Co", "Bloomfield", "Rootstock"],
                 sizes: ["12 cm", "20 cm", "30 cm", "15 m", "25 m", "5 L"], priceRange: 4...99),
    ]

    static let colours: [(String, String)] = [
        ("Black", "黑色"), ("White", "白色"), ("Navy", "藏青色"), ("Grey", "灰色"), ("Red", "红色"), ("Forest Green", "墨绿色"),
        ("Sand", "沙色"), ("Sky Blue", "天蓝色"), ("Burgundy", "酒红色"), ("Mustard", "芥末黄"), ("Olive", "橄榄绿"), ("Blush Pink", "浅粉色"),
    ]

    static let materials: [(String, String)] = [
        ("Cotton", "棉质"), ("Recycled Polyester", "再生涤纶"), ("Leather", "真皮"), ("Stainless Steel", "不锈钢"), ("Bamboo", "竹制"),
        ("Ceramic", "陶瓷"), ("Aluminium", "铝制"), ("Wool", "羊毛"), ("Cast Iron", "铸铁"), ("Silicone", "硅胶"), ("Oak", "橡木"), ("Linen", "亚麻"),
    ]

    static let editions: [String] = ["", "", "", "", "Classic", "Pro", "Lite", "Eco", "Plus", "2.0", "Signature", "Travel"]
}
